/**
 * @module AlsaRecorder inside a compiled binary: a small program that records through the real
 * recorder, compiled with `bun build --compile` with the capture worker as an extra entry point
 * (without it the binary would hang), reads the fake microphone bit for bit.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { wavSamples16 } from "../../../../src/audio/wav.ts";
import { REPO } from "../../../helpers/cli.ts";
import { createFakeMic, testSignal } from "../../../helpers/fake-mic.ts";

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function sameSamples(a: Int16Array, b: Int16Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe("AlsaRecorder in a compiled binary", () => {
  test("the recorder captures inside a compiled binary built with the worker as an extra entry point", async () => {
    const root = REPO;
    const input = testSignal(16000);
    const mic = await createFakeMic(input);
    cleanups.push(mic.cleanup);
    const entry = join(mic.dir, "entry.ts");
    await Bun.write(
      entry,
      `import { AlsaRecorder } from ${JSON.stringify(join(root, "src/components/recorders/alsa-recorder.ts"))};
       import { createDeployment } from ${JSON.stringify(join(root, "src/data/index.ts"))};
       const r = new AlsaRecorder({ microphone: { device_name: "fakemic", samplerate: 16000, audio_channels: 1, time_expansion: 1 },
         duration: 0.5, tmpDir: process.argv[2] ?? ".", deviceId: "x", firmwareVersion: "0" });
       console.log((await r.record(createDeployment({ name: "site" }))).path);`,
    );
    const binary = join(mic.dir, "recorder-bin");
    const build = Bun.spawnSync(
      [process.execPath, "build", "--compile", "--outfile", binary, entry, join(root, "src/components/recorders/capture-worker.ts")],
      { cwd: root },
    );
    expect(build.exitCode).toBe(0);
    const out = join(mic.dir, "out");
    const run = Bun.spawnSync([binary, out], { cwd: mic.dir, env: { ...process.env, ...mic.env } });
    await rm(binary, { force: true });
    expect(run.stderr.toString()).toBe("");
    const path = run.stdout.toString().trim();
    expect(path).toStartWith(`${out}/`);
    const samples = wavSamples16(new Uint8Array(await Bun.file(path).arrayBuffer()));
    expect(sameSamples(samples, input.subarray(0, 8000))).toBe(true);
  }, 60_000);
});
