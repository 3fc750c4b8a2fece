import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { countRows } from "../../helpers/deployment.ts";
import { Database } from "bun:sqlite";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { VERSION } from "../../../src/version.ts";
import { makeTempHome, REPO, type TempHome } from "../../helpers/cli.ts";
import { absolutePathSql } from "../../helpers/stored-path.ts";
import { python3Available, startNotifyListener } from "../../helpers/notify-listener.ts";
import { buildBinary, lastJsonLine, runBinary, runner, stampsVersionAndCommit } from "../../helpers/binaries.ts";

// The arm64 binary runs here under qemu-user, once as a Pi 4 (cortex-a72) and once as a Pi 3 /
// Zero 2 W (cortex-a53): qemu's default "max" CPU would hide instructions older Pis lack.
// ACOUPI_ARM64_TESTS=0 opts out; scripts/arm64-deps.sh installs qemu and the arm64 libraries.
const CPUS = ["cortex-a72", "cortex-a53"];
const optedOut = process.env.ACOUPI_ARM64_TESTS === "0";

function prepare(): string | null {
  const deps = Bun.spawnSync(["bash", join(REPO, "scripts/arm64-deps.sh")], { stdout: "pipe", stderr: "pipe" });
  if (Bun.which("qemu-aarch64-static") === null) {
    return `qemu-aarch64-static is missing and could not be installed (${deps.stderr.toString().trim() || `exit ${deps.exitCode}`})`;
  }
  if (deps.exitCode !== 0) return `the arm64 libraries could not be installed: ${deps.stderr.toString().trim()}`;
  return null;
}

// Decided when the file loads, so skipped tests show as skipped rather than as passing.
const skipped = optedOut ? "ACOUPI_ARM64_TESTS=0" : prepare();
if (skipped !== null) console.warn(`Skipping the arm64 binary tests: ${skipped}`);
const suite = skipped === null ? describe : describe.skip;

suite("the compiled arm64 binary under qemu-user", () => {
  let binary = "";
  beforeAll(() => {
    binary = buildBinary("arm64");
  }, 300_000);

  for (const cpu of CPUS) {
    describe(`as ${cpu}`, () => {
      let home: TempHome;
      const run = (args: string[], env: Record<string, string> = {}) =>
        runBinary(runner(binary, cpu), args, { ...home.env, ACOUPI_SYSTEMD: "0", ...env }, home.home);
      beforeAll(() => {
        home = makeTempHome(`acoupi-arm64-${cpu}-`);
      });
      afterAll(() => home.cleanup());

      test("--version shows the version and commit", () => {
        const result = run(["--version"]);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(stampsVersionAndCommit(result.stdout, VERSION)).toBe(true);
      }, 60_000);

      test("setup, check and task run work with the test program", () => {
        expect(run(["setup", "--program", "test", "--no-prompt"]).code).toBe(0);
        const check = run(["check"]);
        expect(check.code).toBe(0);
        expect(check.stdout).toContain("Health checks passed");
        const task = run(["task", "run", "test_task"]);
        expect(task.code).toBe(0);
        expect((lastJsonLine(task.stdout) as { name: string }).name).toBe("test_program");
      }, 120_000);

      const withPython = python3Available() ? test : test.skip;
      withPython("the runner sends READY=1 through arm64 libc and STOPPING=1 on SIGTERM", async () => {
        const listener = await startNotifyListener("path");
        try {
          const prefix = runner(binary, cpu);
          // `start --foreground` runs the runner in this process: `start` would spawn an arm64 child, which needs binfmt_misc.
          const proc = Bun.spawn([...prefix.argv, "start", "--foreground", "--no-check", "--name", `qemu-${cpu}`], {
            env: { ...process.env, ...home.env, ...prefix.env, ACOUPI_SYSTEMD: "0", NOTIFY_SOCKET: listener.address, WATCHDOG_USEC: "2000000" },
            cwd: home.home,
            stdin: "ignore",
            stdout: "pipe",
            stderr: "pipe",
          });
          const messages = await listener.waitFor((m) => m.includes("WATCHDOG=1"), 60_000);
          expect(messages[0]).toBe("READY=1\nSTATUS=Running program test");
          proc.kill("SIGTERM");
          expect(await proc.exited).toBe(0);
          expect(listener.messages.some((m) => m.startsWith("STOPPING=1"))).toBe(true);
          // SIGTERM pauses a deployment; end it, so that the next test may set up another program.
          const stop = run(["stop"]);
          expect(stop.code, stop.stderr).toBe(0);
        } finally {
          listener.close();
        }
      }, 120_000);

      test("records from the fake microphone through the capture Worker and runs Silero VAD on it", async () => {
        // The demo clip starts with 4.8 s of speech: one 2 s recording of it must hold speech.
        const alsaConfig = join(home.home, "alsa.conf");
        writeFileSync(
          alsaConfig,
          `pcm.fakemic { type file slave { pcm { type null } } file "/dev/null" infile "${join(REPO, "assets/demo-clip.raw")}" format "raw" }\n`,
        );
        const env = { ACOUPI_ALSA_CONFIG: alsaConfig };
        const model = join(REPO, "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx");
        const setup = run(
          ["setup", "--program", "detection", "--no-prompt", "--microphone.device_name", "fakemic", "--microphone.samplerate", "16000",
            "--recording.duration", "2", "--recording.interval", "2", "--recording.schedule_start", "00:00", "--recording.schedule_end", "23:59:59",
            "--model.kind", "silero_vad", "--model.path", model],
          env,
        );
        expect(setup.stderr).toBe("");
        expect(setup.code).toBe(0);
        // The runner in the foreground (`start` would spawn an arm64 child, which needs binfmt_misc),
        // until the first recording's model output is stored.
        const prefix = runner(binary, cpu);
        const proc = Bun.spawn([...prefix.argv, "start", "--foreground", "--no-check", "--name", `qemu-silero-${cpu}`], {
          env: { ...process.env, ...home.env, ...prefix.env, ...env, ACOUPI_SYSTEMD: "0" },
          cwd: home.home,
          stdin: "ignore",
          stdout: "pipe",
          stderr: "pipe",
        });
        const dbPath = join(home.acoupiHome, "storages/metadata.db");
        const deadline = Date.now() + 150_000;
        while (countRows(dbPath, "SELECT id FROM model_outputs") === 0 && Date.now() < deadline) await Bun.sleep(250);
        proc.kill("SIGTERM");
        expect(await proc.exited).toBe(0);
        const stop = run(["stop"], env);
        expect(stop.code, stop.stderr).toBe(0);
        const db = new Database(dbPath, { readonly: true });
        try {
          const roots = { recordings: join(home.acoupiHome, "storages/recordings"), tmp: join(home.acoupiHome, "tmp") };
          const recordings = db.query(`SELECT ${absolutePathSql(roots)} AS path, samplerate_hz AS samplerate FROM recordings`).all() as Array<{ path: string; samplerate: number }>;
          expect(recordings.length).toBeGreaterThanOrEqual(1);
          expect(recordings[0]?.samplerate).toBe(16000);
          expect(existsSync(recordings[0]?.path ?? "")).toBe(true);
          const labels = db
            .query("SELECT t.value AS label FROM predicted_tags t JOIN detections d ON d.id = t.detection_id JOIN model_outputs m ON m.id = d.model_output_id")
            .all() as Array<{ label: string }>;
          expect(labels.length).toBeGreaterThan(0);
          expect(new Set(labels.map((l) => l.label))).toEqual(new Set(["speech"]));
        } finally {
          db.close();
        }
      }, 180_000);
    });
  }
});
