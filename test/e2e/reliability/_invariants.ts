/**
 * @module What must hold in a deployment's stores whatever happened to the runner: both SQLite
 * files pass `PRAGMA integrity_check` and `foreign_key_check`; permanent storage holds only whole
 * WAVs (RIFF and chunk sizes add up to the file size, with a fmt and a data chunk), each with a
 * `saved` row, and every saved row has its file; no row is ever `missing`; the temp folder's
 * WAVs have rows; the outbox has one detection message per model output with detections and
 * none for an output that has none, none `failed`, and every delivered message reached the receiver. `inspectStores` returns the
 * problems as sentences instead of throwing, and separately lists the states a crash may leave
 * for the next start to repair (a file moved to storage before its row was updated, a finished
 * WAV in temp before its row was inserted, a `.wav.part`, a model output whose message did not
 * commit), so a test can allow them right after
 * a kill and require them gone after a reconcile. The WAV check reads the bytes itself rather
 * than through src/audio, so a bug there cannot hide.
 */
import { Database } from "bun:sqlite";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { Deployment } from "../../helpers/deployment.ts";
import { absolutePathSql } from "../../helpers/stored-path.ts";

/** Walks a RIFF/WAVE file's chunks; returns null when whole and consistent, else what is wrong. */
export function wavProblem(bytes: Uint8Array): string | null {
  if (bytes.byteLength < 12) return `only ${bytes.byteLength} bytes`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") return "no RIFF/WAVE header";
  const riffSize = view.getUint32(4, true);
  if (riffSize + 8 !== bytes.byteLength) return `RIFF size ${riffSize} + 8 is not the file size ${bytes.byteLength}`;
  let at = 12;
  let fmt = false;
  let dataBytes = -1;
  let blockAlign = 0;
  while (at < bytes.byteLength) {
    if (at + 8 > bytes.byteLength) return `a truncated chunk header at byte ${at}`;
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    if (at + 8 + size > bytes.byteLength) return `chunk "${id}" of ${size} bytes runs past the end of the file`;
    if (id === "fmt ") {
      fmt = true;
      blockAlign = view.getUint16(at + 8 + 12, true);
    }
    if (id === "data") dataBytes = size;
    at += 8 + size + (size % 2);
  }
  if (at !== bytes.byteLength) return `chunks end at byte ${at}, not at the end of the file (${bytes.byteLength})`;
  if (!fmt) return "no fmt chunk";
  if (dataBytes <= 0) return "no audio data";
  if (blockAlign > 0 && dataBytes % blockAlign !== 0) return `data size ${dataBytes} is not a whole number of frames`;
  return null;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}

interface RecordingRow {
  id: string;
  path: string | null;
  state: "temp" | "saved" | "discarded" | "missing" | "purged";
}

interface MessageRow {
  id: string;
  kind: string;
  status: string;
  content: string;
}

export interface Inspection {
  /** Broken invariants, as sentences; empty when all hold. */
  problems: string[];
  /** Files in storage whose row still points at temp (moved, then killed before the row update). */
  movedBeforeUpdate: string[];
  /** Finished WAVs in temp without a row (renamed, then killed before the insert). */
  orphansInTemp: string[];
  /** `.wav.part` files in temp (killed mid-recording). */
  partsInTemp: string[];
  /** Model outputs with detections but no detection message (killed between the two files' commits). */
  outputsWithoutMessage: string[];
  recordings: number;
  saved: number;
  messages: Map<string, MessageRow>;
  /** Outbox messages by status. */
  byStatus: Record<string, number>;
}

function openDb(path: string): Database {
  // Read-write, as the runner would: opening recovers a WAL left by a kill.
  return new Database(path, { strict: true });
}

function integrity(db: Database, name: string, problems: string[]): void {
  const rows = db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").all();
  const text = rows.map((r) => r.integrity_check).join("; ");
  if (text !== "ok") problems.push(`${name} fails integrity_check: ${text}`);
  const fk = db.query("PRAGMA foreign_key_check").all();
  if (fk.length > 0) problems.push(`${name} has ${fk.length} rows breaking foreign keys: ${JSON.stringify(fk.slice(0, 3))}`);
}

export interface InspectOptions {
  /** Payloads the receiver (MQTT subscriber or HTTP server) got; when given, delivered messages must be among them. */
  received?: ReadonlySet<string>;
}

/** Reads both stores and both folders of a deployment whose runner is not running. */
export function inspectStores(rig: Deployment, options: InspectOptions = {}): Inspection {
  const problems: string[] = [];
  const meta = openDb(rig.files.metadata);
  const outbox = openDb(rig.files.messages);
  try {
    integrity(meta, "metadata.db", problems);
    integrity(outbox, "messages.db", problems);
    const rows = meta.query<RecordingRow, []>(`SELECT id, ${absolutePathSql({ recordings: rig.files.recordings, tmp: rig.files.tmp })} AS path, state FROM recordings`).all();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const byPath = new Map<string, RecordingRow>();
    for (const row of rows) {
      if (row.path === null) continue;
      if (byPath.has(row.path)) problems.push(`Two recordings share the path ${row.path}`);
      byPath.set(row.path, row);
    }
    const missing = rows.filter((r) => r.state === "missing");
    if (missing.length > 0) problems.push(`${missing.length} recordings are marked missing (their files were lost), e.g. ${missing[0]?.path}`);

    // Permanent storage: whole WAVs only, each with its saved row.
    const movedBeforeUpdate: string[] = [];
    for (const file of walk(rig.files.recordings)) {
      if (!file.endsWith(".wav")) {
        problems.push(`Storage holds a file that is not a finished WAV: ${file}`);
        continue;
      }
      const bad = wavProblem(new Uint8Array(readFileSync(file)));
      if (bad !== null) problems.push(`Storage holds a broken WAV ${file}: ${bad}`);
      const row = byPath.get(file);
      if (row?.state === "saved") continue;
      const id = /_([0-9a-f-]{36})\.wav$/.exec(basename(file))?.[1];
      const owner = id === undefined ? undefined : byId.get(id);
      if (owner !== undefined && owner.state === "temp" && owner.path !== null && !existsSync(owner.path)) movedBeforeUpdate.push(file);
      else problems.push(`Storage file ${file} has no saved row (${row ? `its row is ${row.state}` : "no row has its path"})`);
    }
    for (const row of rows) {
      if (row.state === "saved" && (row.path === null || !existsSync(row.path))) problems.push(`Saved recording ${row.id} has no file at ${row.path}`);
      if (row.state === "saved" && row.path !== null && !row.path.startsWith(rig.files.recordings)) problems.push(`Saved recording ${row.id} is outside storage: ${row.path}`);
    }

    // Temp: WAVs with rows, or a crash's leftovers for reconcile.
    const orphansInTemp: string[] = [];
    const partsInTemp: string[] = [];
    for (const file of walk(rig.files.tmp)) {
      if (file.endsWith(".wav.part")) partsInTemp.push(file);
      else if (file.endsWith(".wav")) {
        const bad = wavProblem(new Uint8Array(readFileSync(file)));
        if (bad !== null) problems.push(`Temp holds a broken finished WAV ${file}: ${bad}`);
        const row = byPath.get(file);
        if (row === undefined) orphansInTemp.push(file);
        else if (row.state !== "temp") problems.push(`Temp file ${file} belongs to a ${row.state} recording`);
      }
    }
    for (const row of rows) {
      if (row.state !== "temp" || row.path === null || existsSync(row.path)) continue;
      const movedHere = movedBeforeUpdate.some((file) => file.includes(row.id));
      if (!movedHere) problems.push(`Temp recording ${row.id} has no file at ${row.path}`);
    }

    // The outbox: one message per model output with detections, none failed, delivered ones received.
    const messages = new Map(
      outbox.query<MessageRow, []>("SELECT id, kind, status, content FROM messages").all().map((m) => [m.id, m]),
    );
    const byStatus: Record<string, number> = {};
    for (const m of messages.values()) byStatus[m.status] = (byStatus[m.status] ?? 0) + 1;
    if ((byStatus.failed ?? 0) > 0) problems.push(`${byStatus.failed} messages are marked failed`);
    // Each detection message carries its model output's id; the two are written in one transaction.
    const outputsWithDetections = meta
      .query<{ id: string }, []>("SELECT o.id FROM model_outputs o WHERE EXISTS (SELECT 1 FROM detections d WHERE d.model_output_id = o.id)")
      .all()
      .map((o) => o.id);
    const messagesPerOutput = new Map<string, number>();
    for (const m of messages.values()) {
      if (m.kind !== "detection") continue;
      const outputId = (JSON.parse(m.content) as { id: string }).id;
      messagesPerOutput.set(outputId, (messagesPerOutput.get(outputId) ?? 0) + 1);
    }
    const known = new Set(outputsWithDetections);
    for (const [outputId, n] of messagesPerOutput) {
      if (!known.has(outputId)) problems.push(`A detection message reports model output ${outputId}, which has no detections stored`);
      if (n > 1) problems.push(`Model output ${outputId} has ${n} detection messages`);
    }
    const outputsWithoutMessage = outputsWithDetections.filter((id) => !messagesPerOutput.has(id));
    if (options.received !== undefined) {
      const lost = [...messages.values()].filter((m) => m.status === "delivered" && !options.received?.has(m.content));
      if (lost.length > 0) problems.push(`${lost.length} messages are marked delivered but never reached the receiver, e.g. ${lost[0]?.id} (${lost[0]?.kind})`);
    }
    return {
      problems,
      movedBeforeUpdate,
      orphansInTemp,
      partsInTemp,
      outputsWithoutMessage,
      recordings: rows.length,
      saved: rows.filter((r) => r.state === "saved").length,
      messages,
      byStatus,
    };
  } finally {
    meta.close();
    outbox.close();
  }
}

/** Every payload the receiver got must be a message of the outbox (none invented, none corrupted). */
export function unknownPayloads(inspection: Inspection, received: Iterable<string>): string[] {
  const contents = new Set([...inspection.messages.values()].map((m) => m.content));
  return [...received].filter((payload) => !contents.has(payload));
}

/** Bytes of a whole folder tree, hashed with paths and modes: to prove a command changed nothing. */
export function hashTree(dir: string): string {
  const hasher = new Bun.CryptoHasher("sha256");
  for (const file of walk(dir).sort()) {
    const stat = statSync(file);
    hasher.update(`${file}\0${stat.mode}\0`).update(readFileSync(file));
  }
  const dirs = (function list(d: string): string[] {
    if (!existsSync(d)) return [];
    return readdirSync(d, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => [join(d, e.name), ...list(join(d, e.name))]);
  })(dir).sort();
  hasher.update(dirs.join("\n"));
  return hasher.digest("hex");
}
