/**
 * Reliability: recordings left unscreened by a power cut, on the compiled binary. Issue 27: "A
 * speech recording that was waiting for the privacy screen at a power cut was filed unscreened at
 * the restart 2 h later ("waited for privacy_silero_vad too long; saving it"). File management's
 * `max_wait` ran before the start-up screening." A `detection` deployment records speech with
 * filing held back (file management runs hourly) and the privacy filter off, so the recordings
 * wait in temp unscreened; the runner is killed with SIGKILL (the power cut), the privacy filter
 * is switched on in program.json, the recordings are made two hours old (older than `max_wait`)
 * and the runner restarts. Every one of them must be screened (and, holding speech, deleted)
 * before anything files it: none may be saved.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { absolutePathSql } from "../../helpers/stored-path.ts";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mix, s16le, speech, tone } from "../../helpers/speech.ts";
import { busySetupArgs, deploy, mustRun, readStatusFile, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

const RATE = 16000;
const SECONDS = 2;

function rows(rig: Deployment): Array<{ id: string; state: string; path: string | null }> {
  if (!existsSync(rig.files.metadata)) return [];
  const db = new Database(rig.files.metadata, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 5000");
    const created = db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'recordings'").get()?.n ?? 0;
    if (created === 0) return [];
    return db.query<{ id: string; state: string; path: string | null }, []>(`SELECT id, state, ${absolutePathSql({ recordings: rig.files.recordings, tmp: rig.files.tmp })} AS path FROM recordings`).all();
  } finally {
    db.close();
  }
}

/** Moves every recording's time two hours back (the restart "2 h later"). */
function ageRecordings(rig: Deployment): void {
  const db = new Database(rig.files.metadata);
  try {
    db.run("PRAGMA busy_timeout = 5000");
    const old = new Date(Date.now() - 2 * 3600_000).toISOString();
    db.run("UPDATE recordings SET created_on = ?", [old]);
  } finally {
    db.close();
  }
}

describe("recordings a power cut left waiting for the privacy screen", () => {
  let rig: Deployment;

  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest() });
    // Speech over a quiet tone in every recording.
    const voice = speech("See you at the gate at noon.", RATE);
    const segment = mix(tone(SECONDS, RATE, 2000, 0.05), voice.subarray(0, Math.min(voice.length, (SECONDS - 0.2) * RATE)), 0.9, RATE, 0.1);
    const mic = new Float32Array(segment.length * 20);
    for (let i = 0; i < 20; i++) mic.set(segment, i * segment.length);
    writeFileSync(rig.mic.rawPath, s16le(mic));
    mustRun(rig, busySetupArgs({
      recordingSeconds: SECONDS,
      extra: ["--file_management.interval", "3600", "--file_management.max_wait", "60", "--file_management.on_timeout", "save"],
    }));
  }, 180_000);
  afterAll(() => rig?.cleanup());

  test("are screened at the restart before file management's max_wait can file them, whatever their age", async () => {
    const first = rig.spawn(["start", "--name", "power-cut", "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    await waitFor("3 recordings waiting unscreened in temp", () => readStatusFile(rig)?.pid === first.pid && rows(rig).filter((r) => r.state === "temp").length >= 3, 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${existsSync(rig.runLog) ? readFileSync(rig.runLog, "utf8") : ""}`);
    });
    first.kill("SIGKILL");
    await first.exited;
    const program = JSON.parse(readFileSync(rig.files.programJson, "utf8")) as { privacy: { enabled: boolean } };
    program.privacy.enabled = true;
    writeFileSync(rig.files.programJson, JSON.stringify(program));
    const waiting = rows(rig).filter((r) => r.state === "temp").map((r) => r.id);
    expect(waiting.length).toBeGreaterThanOrEqual(3);
    ageRecordings(rig);

    const second = rig.spawn(["run"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    try {
      await waitFor("the waiting recordings handled", () => {
        const now = new Map(rows(rig).map((r) => [r.id, r.state]));
        return readStatusFile(rig)?.pid === second.pid && waiting.every((id) => now.get(id) !== "temp");
      }, 60_000);
    } finally {
      expect(await terminate(second)).toBe(0);
    }
    const after = new Map(rows(rig).map((r) => [r.id, r]));
    for (const id of waiting) expect({ id, state: after.get(id)?.state, path: after.get(id)?.path ?? null }).toEqual({ id, state: "discarded", path: null });
    const log = readFileSync(rig.runLog, "utf8");
    expect(log).not.toContain("waited for privacy_silero_vad too long");
    expect(log).not.toContain("privacy_silero_vad too long");
  }, 150_000);
});
