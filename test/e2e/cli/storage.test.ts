/**
 * `acoupi storage` (the real command) on a deployment whose store holds saved recordings: it
 * prints usage against the ceiling, the projection at the current schedule, and what retention
 * would delete, in order, without deleting anything; the test program, which does not record,
 * is refused with a ConfigError naming the section.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SqliteStore } from "../../../src/components/stores/sqlite-store.ts";
import { deployment, detection, modelOutput, recording } from "../../contracts/store.contract.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";

let home: TempHome | null = null;
afterEach(() => {
  home?.cleanup();
  home = null;
});

describe("acoupi storage", () => {
  test("prints usage, the projection and the recordings retention would delete next, and deletes nothing", () => {
    home = makeTempHome();
    const setup = runAcoupi(
      ["setup", "--program", "default", "--no-prompt", "--storage.ceiling", "150KB", "--storage.min_free", "0MB", "--storage.keep_per_label", "1",
        "--microphone.samplerate", "16000", "--recording.duration", "1", "--recording.interval", "10",
        "--recording.schedule_start", "06:00", "--recording.schedule_end", "18:00"],
      home.env,
    );
    expect(setup.code, setup.stderr).toBe(0);
    const storages = join(home.acoupiHome, "storages");
    const recordings = join(storages, "recordings");
    mkdirSync(recordings, { recursive: true });
    const store = new SqliteStore({ db_metadata: join(storages, "metadata.db") });
    const site = deployment();
    const paths: string[] = [];
    for (const [minute, bird] of [[1, true], [2, false], [3, true], [4, false]] as const) {
      const rec = recording({ deployment: site, created_on: new Date(Date.UTC(2025, 0, 1, 6, minute)) });
      const path = join(recordings, `${minute}.wav`);
      writeFileSync(path, new Uint8Array(64 * 1024));
      const saved = { ...rec, path };
      store.storeRecording(saved);
      store.updateRecordingPath(saved, path, "saved");
      store.storeModelOutputs([modelOutput(saved, { detections: bird ? [detection(0.9)] : [] })]);
      paths.push(path);
    }
    store.close();

    const result = runAcoupi(["storage"], home.env);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/Recordings use 0\.\d MB of their 0\.1 MB ceiling \(150KB\)/);
    // 12 h a day, one 1 s file (32 KB of samples) every 10 s: 4320 files, 138.2 MB a day.
    expect(out).toContain("At the current schedule recording adds 138.2 MB a day");
    expect(out).toMatch(/The space holds 0\.0 days before retention deletes anything/);
    // Over the ceiling: the negatives go first, oldest first, then the oldest with a detection.
    const listed = out.split("\n").filter((line) => line.includes(recordings));
    expect(listed.map((line) => line.trim().split(/\s+/).at(-1))).toEqual([paths[1], paths[3], paths[0]]);
    expect(listed[0]).toContain("no_detections");
    expect(listed[2]).toContain("detections");
    for (const path of paths) expect(existsSync(path)).toBe(true);
  });

  test("a program that does not record has no storage section and is refused by name", () => {
    home = makeTempHome();
    expect(runAcoupi(["setup", "--program", "test", "--no-prompt"], home.env).code).toBe(0);
    const result = runAcoupi(["storage"], home.env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('The program "test" has no storage section');
    expect(result.stderr).not.toMatch(/this is a bug|internal error/i);
  });
});
