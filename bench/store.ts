/**
 * @module Insert throughput of the two SQLite stores, side by side with the `sqlite3` CLI doing
 * the same inserts into the same schema, in one run. Two shapes: a bulk load in one transaction
 * (the best case for both), and the sensor's real shape, one commit per write (two per recording:
 * the recording, then its model outputs), with synchronous FULL (our default) and NORMAL. The CLI
 * times include starting the process and parsing SQL text; its startup alone is printed too.
 * Figures only, no assertions. Run: ./node_modules/.bin/bun bench/store.ts
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteMessageStore } from "../src/components/message-stores/sqlite-message-store.ts";
import { SqliteStore } from "../src/components/stores/sqlite-store.ts";
import { createMessage, modelOutputJson, type Deployment, type Message, type ModelOutput, type Recording } from "../src/data/index.ts";
import type { Synchronous } from "../src/system/sqlite.ts";
import { sqlTime } from "../src/system/sqlite-helpers.ts";

const BULK_RECORDINGS = 5000;
const BULK_MESSAGES = 20000;
const COMMIT_RECORDINGS = 300;
const COMMIT_MESSAGES = 600;
const DETECTIONS = 3;
const TAGS = 2;

const dir = mkdtempSync(join(tmpdir(), "acoupi-bench-store-"));
let fileNo = 0;
const freshFile = (): string => join(dir, `db-${++fileNo}.db`);

function makeData(count: number): { recordings: Recording[]; outputs: ModelOutput[] } {
  const deployment: Deployment = { id: crypto.randomUUID(), name: "bench", latitude: 51.5, longitude: -0.1, started_on: new Date(Date.UTC(2024, 0, 1)), ended_on: null };
  const recordings: Recording[] = [];
  const outputs: ModelOutput[] = [];
  for (let i = 0; i < count; i++) {
    const created = new Date(Date.UTC(2024, 0, 1) + i * 3000);
    const id = crypto.randomUUID();
    const rec: Recording = { id, created_on: created, duration: 3, samplerate: 48000, deployment, path: `/dev/shm/acoupi/${id}.wav`, audio_channels: 1, time_expansion: 1, bit_depth: 16 };
    recordings.push(rec);
    const detections = Array.from({ length: DETECTIONS }, (_, d) => ({
      id: crypto.randomUUID(),
      prediction_type: "presence" as const,
      location: { type: "BoundingBox" as const, coordinates: [d, 1000, d + 1, 8000] as [number, number, number, number] },
      detection_score: 0.5 + d / 10,
      tags: Array.from({ length: TAGS }, (_, t) => ({ tag: { key: "species", value: `Species ${t}` }, confidence_score: 0.4 + t / 10 })),
    }));
    outputs.push({ id: crypto.randomUUID(), name_model: "BirdNET", recording: rec, detections, created_on: new Date(created.getTime() + 3500) });
  }
  return { recordings, outputs };
}

const q = (v: string | number | null): string => (v === null ? "NULL" : typeof v === "number" ? String(v) : `'${v.replaceAll("'", "''")}'`);

function recordingSql(r: Recording): string {
  const d = r.deployment;
  return (
    `INSERT INTO deployments VALUES (${[d.id, d.name, d.latitude, d.longitude, sqlTime(d.started_on), null].map(q).join(",")}) ON CONFLICT (id) DO NOTHING;\n` +
    `INSERT INTO recordings VALUES (${[r.id, d.id, sqlTime(r.created_on), r.duration, r.samplerate, r.audio_channels, r.time_expansion, r.path, "temp"].map(q).join(",")}) ON CONFLICT (id) DO NOTHING;\n`
  );
}

function outputSql(o: ModelOutput): string {
  let sql = `INSERT INTO model_outputs VALUES (${[o.id, o.recording.id, o.name_model, sqlTime(o.created_on)].map(q).join(",")}) ON CONFLICT (id) DO NOTHING;\n`;
  for (const d of o.detections) {
    const c = d.location?.coordinates ?? [null, null, null, null];
    sql += `INSERT INTO detections VALUES (${[d.id, o.id, d.prediction_type, c[0], c[1], c[2], c[3], d.detection_score].map(q).join(",")});\n`;
    for (const t of d.tags) sql += `INSERT INTO predicted_tags (detection_id, key, value, confidence_score) VALUES (${[d.id, t.tag.key, t.tag.value, t.confidence_score].map(q).join(",")});\n`;
  }
  return sql;
}

function messageSql(m: Message): string {
  const t = sqlTime(m.created_on);
  return `INSERT INTO messages (id, created_on, kind, content, size, next_attempt_at) VALUES (${[m.id, t, m.kind, m.content, Buffer.byteLength(m.content), t].map(q).join(",")}) ON CONFLICT (id) DO NOTHING;\n`;
}

/** Runs a script through the sqlite3 CLI on a copy of `template`; returns seconds. */
function cli(template: string, body: string, synchronous: Synchronous): number {
  const file = freshFile();
  copyFileSync(template, file);
  const script = join(dir, `script-${fileNo}.sql`);
  writeFileSync(script, `PRAGMA foreign_keys = ON;\nPRAGMA journal_mode = WAL;\nPRAGMA synchronous = ${synchronous};\n${body}`);
  const start = Bun.nanoseconds();
  const child = Bun.spawnSync(["sqlite3", "-bail", file], { stdin: Bun.file(script), stdout: "ignore" });
  const seconds = (Bun.nanoseconds() - start) / 1e9;
  if (child.exitCode !== 0) throw new Error(`sqlite3 failed: ${child.stderr.toString()}`);
  return seconds;
}

function time(fn: () => void): number {
  const start = Bun.nanoseconds();
  fn();
  return (Bun.nanoseconds() - start) / 1e9;
}

function emptyTemplate(kind: "store" | "outbox"): string {
  const file = freshFile();
  if (kind === "store") new SqliteStore({ db_metadata: file }).close();
  else new SqliteMessageStore({ messages_db: file }).close();
  return file;
}

interface Row {
  name: string;
  items: number;
  ours: number;
  cli: number;
}

const rows: Row[] = [];
const storeTemplate = emptyTemplate("store");
const outboxTemplate = emptyTemplate("outbox");

// 1. Bulk: recordings + model outputs in one transaction.
{
  const { recordings, outputs } = makeData(BULK_RECORDINGS);
  const store = new SqliteStore({ db_metadata: freshFile() });
  const ours = time(() =>
    store.transaction(() => {
      for (let i = 0; i < recordings.length; i++) {
        store.storeRecording(recordings[i] as Recording);
        store.storeModelOutputs([outputs[i] as ModelOutput]);
      }
    }),
  );
  store.close();
  const body = `BEGIN;\n${recordings.map((r, i) => recordingSql(r) + outputSql(outputs[i] as ModelOutput)).join("")}COMMIT;\n`;
  rows.push({ name: "recordings+outputs, 1 transaction, FULL", items: BULK_RECORDINGS, ours, cli: cli(storeTemplate, body, "FULL") });
}

// 2. Bulk: outbox messages in one transaction.
{
  const { outputs } = makeData(1);
  const content = modelOutputJson(outputs[0] as ModelOutput);
  const messages = Array.from({ length: BULK_MESSAGES }, (_, i) => createMessage("detection", content, new Date(Date.UTC(2024, 0, 1) + i)));
  const outbox = new SqliteMessageStore({ messages_db: freshFile() });
  const ours = time(() => outbox.transaction(() => messages.forEach((m) => outbox.storeMessage(m))));
  outbox.close();
  const body = `BEGIN;\n${messages.map(messageSql).join("")}COMMIT;\n`;
  rows.push({ name: `outbox messages (${Buffer.byteLength(content)} B), 1 transaction, FULL`, items: BULK_MESSAGES, ours, cli: cli(outboxTemplate, body, "FULL") });
}

// 3. The sensor's shape: one commit per write.
for (const sync of ["FULL", "NORMAL"] as const) {
  const { recordings, outputs } = makeData(COMMIT_RECORDINGS);
  const store = new SqliteStore({ db_metadata: freshFile() }, { synchronous: sync });
  const ours = time(() => {
    for (let i = 0; i < recordings.length; i++) {
      store.storeRecording(recordings[i] as Recording);
      store.storeModelOutputs([outputs[i] as ModelOutput]);
    }
  });
  store.close();
  const body = recordings.map((r, i) => `BEGIN;\n${recordingSql(r)}COMMIT;\nBEGIN;\n${outputSql(outputs[i] as ModelOutput)}COMMIT;\n`).join("");
  rows.push({ name: `recordings+outputs, 2 commits each, ${sync}`, items: COMMIT_RECORDINGS, ours, cli: cli(storeTemplate, body, sync) });

  const content = modelOutputJson(outputs[0] as ModelOutput);
  const messages = Array.from({ length: COMMIT_MESSAGES }, (_, i) => createMessage("detection", content, new Date(Date.UTC(2024, 0, 1) + i)));
  const outbox = new SqliteMessageStore({ messages_db: freshFile() }, { synchronous: sync });
  const oursMsg = time(() => messages.forEach((m) => outbox.storeMessage(m)));
  outbox.close();
  rows.push({ name: `outbox messages, 1 commit each, ${sync}`, items: COMMIT_MESSAGES, ours: oursMsg, cli: cli(outboxTemplate, messages.map(messageSql).join(""), sync) });
}

const startup = cli(outboxTemplate, "SELECT 1;\n", "FULL");
console.log(`bun ${Bun.version} (SQLite embedded) vs sqlite3 CLI ${Bun.spawnSync(["sqlite3", "--version"]).stdout.toString().split(" ")[0]}; temp dir ${dir}`);
console.log(`sqlite3 CLI startup alone: ${(startup * 1000).toFixed(1)} ms (included in the CLI figures)`);
console.log("");
const pad = (s: string, n: number): string => s.padEnd(n);
console.log(`${pad("workload", 58)} ${pad("items", 6)} ${pad("ours items/s", 13)} ${pad("sqlite3 items/s", 16)} ours/cli`);
for (const r of rows) {
  const ratio = r.cli / r.ours;
  console.log(`${pad(r.name, 58)} ${pad(String(r.items), 6)} ${pad((r.items / r.ours).toFixed(0), 13)} ${pad((r.items / r.cli).toFixed(0), 16)} ${ratio.toFixed(2)}×`);
}
console.log("\nours/cli > 1 means our store inserted faster than the sqlite3 CLI running the same SQL.");
rmSync(dir, { recursive: true, force: true });
