/**
 * @module The `default` program end to end through the real CLI (from source, and once with the
 * compiled x64 binary): setup with acoupi-style arguments, check, start, a few recordings on the
 * fake microphone in continuous mode (interval == duration), stop. Every file is filed under
 * recordings/<Y>/<M>/<D>/ with a row in state saved, carries readable GUANO, and the files in
 * order are bit-exact with the microphone input. Also: an acoupi 0.6 program.json for the default
 * program loads with `setup --config` and, dropped into the config folder as acoupi left it, with
 * `config show`.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readGuano } from "../../../src/audio/guano.ts";
import { wavSamples16 } from "../../../src/audio/wav.ts";
import { acoupiPaths } from "../../../src/system/paths.ts";
import { readLivePid } from "../../../src/system/pidfile.ts";
import { buildBinary } from "../../helpers/binaries.ts";
import { testSignal } from "../../helpers/fake-mic.ts";
import { countRows, deploy, said, waitFor } from "../../helpers/deployment.ts";

const RATE = 16000;
const FILES = 3;

interface Row {
  id: string;
  created_on: string;
  path: string | null;
  path_root: string | null;
  state: string;
  samplerate_hz: number;
}

async function recordFileAndStop(binary?: string): Promise<void> {
  const input = testSignal(RATE * 40);
  const d = deploy({ mic: input, binary });
  try {
    const setup = d.run([
      "setup", "--program", "default", "--no-prompt",
      "--microphone.device_name", d.mic.device, "--microphone.samplerate", String(RATE), "--microphone.audio_channels", "1",
      "--recording.duration", "1", "--recording.interval", "1",
      "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59",
      "--recording.min_free_mb", "0", "--file_management.interval", "1",
    ]);
    expect(setup.code, said(setup)).toBe(0);
    const check = d.run(["check"]);
    expect(check.code, said(check)).toBe(0);
    expect(check.stdout).toContain("Health checks passed");
    const start = d.run(["start", "--name", "garden", "--latitude", "51.5", "--longitude", "-0.12", "--no-check"]);
    expect(start.code, said(start)).toBe(0);

    const dbPath = join(d.home.acoupiHome, "storages/metadata.db");
    await waitFor(`${FILES} saved recordings`, () => countRows(dbPath, "SELECT id FROM recordings WHERE state = 'saved'") >= FILES);
    const stop = d.run(["stop"]);
    expect(stop.code, said(stop)).toBe(0);
    expect(readLivePid(acoupiPaths(d.home.acoupiHome).pidFile)).toBeNull();

    const tmp = join(d.home.acoupiHome, "tmp");
    expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
    const rows = d.db().query("SELECT id, created_on, path, path_root, state, samplerate_hz FROM recordings ORDER BY created_on").all() as Row[];
    expect(rows.length).toBeGreaterThanOrEqual(FILES);
    const recordings = join(d.home.acoupiHome, "storages/recordings");
    const chunks: Int16Array[] = [];
    for (const row of rows) {
      expect(row.state).toBe("saved");
      expect(row.samplerate_hz).toBe(RATE);
      const created = new Date(row.created_on);
      const day = `${created.getUTCFullYear()}/${String(created.getUTCMonth() + 1).padStart(2, "0")}/${String(created.getUTCDate()).padStart(2, "0")}`;
      // Stored relative to paths.recordings, so a copy of the folder works anywhere.
      expect(row.path_root).toBe("recordings");
      expect(row.path ?? "").toStartWith(`${day}/`);
      const bytes = new Uint8Array(readFileSync(join(recordings, row.path ?? "")));
      const guano = readGuano(bytes);
      expect(guano?.get("Make")).toBe("acoupi");
      expect(guano?.get("Samplerate")).toBe(String(RATE));
      expect(guano?.get("Loc Position")).toBe("51.5 -0.12");
      expect(guano?.get("Acoupi|Deployment Name")).toBe("garden");
      expect(new Date(guano?.get("Timestamp") ?? "").getTime()).toBe(created.getTime());
      chunks.push(wavSamples16(bytes));
    }
    // Back to back: each file starts exactly one duration after the previous one.
    const starts = rows.map((r) => new Date(r.created_on).getTime() - new Date(rows[0]?.created_on ?? "").getTime());
    starts.forEach((offset, i) => expect(Math.abs(offset - i * 1000)).toBeLessThanOrEqual(1));
    const joined = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      expect(chunk.length).toBe(RATE);
      joined.set(chunk, at);
      at += chunk.length;
    }
    expect(joined.length).toBeLessThanOrEqual(input.length);
    expect(Bun.deepEquals(joined, input.subarray(0, joined.length))).toBe(true);
  } finally {
    await d.cleanup();
  }
}

function acoupi06ProgramJson(dir: string): string {
  return JSON.stringify({
    timezone: "Europe/London",
    microphone: { device_name: "x", samplerate: 48000, audio_channels: 1, time_expansion: 1.0 },
    recording: { duration: 3, interval: 10, chunksize: 8192, schedule_start: "06:00:00", schedule_end: "22:30:00" },
    paths: { tmp_audio: join(dir, "a"), recordings: join(dir, "r"), db_metadata: join(dir, "m.db") },
  }, null, 2);
}

describe("the default program", () => {
  test("records back to back, files by date with GUANO, and the files are the microphone input bit for bit", async () => {
    await recordFileAndStop();
  }, 120_000);

  test("an acoupi 0.6 program.json loads with setup --config and shows its values", async () => {
    const d = deploy({ mic: new Int16Array(16) });
    try {
      const file = join(d.home.home, "acoupi-program.json");
      writeFileSync(file, acoupi06ProgramJson(d.home.home));
      const setup = d.run(["setup", "--program", "default", "--config", file, "--no-prompt"]);
      expect(setup.code, said(setup)).toBe(0);
      const show = d.run(["config", "show"]);
      expect(show.code, said(show)).toBe(0);
      const shown = JSON.parse(show.stdout.slice(show.stdout.indexOf("{"))) as Record<string, Record<string, unknown>>;
      expect(shown.microphone).toEqual({ device_name: "x", samplerate: 48000, audio_channels: 1, time_expansion: 1 });
      expect(shown.recording).toMatchObject({ duration: 3, interval: 10, chunksize: 8192, schedule_start: "06:00:00", schedule_end: "22:30:00" });
      expect(shown.paths).toEqual({ tmp_audio: join(d.home.home, "a"), recordings: join(d.home.home, "r"), db_metadata: join(d.home.home, "m.db") });
      expect(d.run(["config", "get", "recording.schedule_end"]).stdout.trim()).toBe('"22:30:00"');
    } finally {
      await d.cleanup();
    }
  });

  test("an acoupi 0.6 config folder (name file with the module name, program.json) works with config show", async () => {
    const d = deploy({ mic: new Int16Array(16) });
    try {
      const config = join(d.home.acoupiHome, "config");
      mkdirSync(config, { recursive: true });
      writeFileSync(join(config, "name"), "acoupi.programs.default");
      writeFileSync(join(config, "program.json"), acoupi06ProgramJson(d.home.home));
      const show = d.run(["config", "show"]);
      expect(show.code, said(show)).toBe(0);
      expect(show.stdout).toContain('"device_name": "x"');
      expect(show.stdout).toContain('"interval": 10');
      expect(d.run(["config", "get", "microphone.samplerate"]).stdout.trim()).toBe("48000");
    } finally {
      await d.cleanup();
    }
  });
});

describe("the default program, compiled", () => {
  let binary: string;
  beforeAll(() => {
    binary = buildBinary("x64");
  }, 180_000);

  test("the compiled x64 binary records, files and stops the same way", async () => {
    await recordFileAndStop(binary);
  }, 120_000);
});
