/**
 * @module The web page costs nothing when it is off (the default): a runner with `web.enabled`
 * false imports none of the page's modules (server, pages, charts, clips, live level feed) nor PNG code and writes no endpoint file, and `acoupi
 * --help` loads none of the new listing, export, spectrogram or web modules.
 */
import { readLiveRunner } from "../../../src/system/pidfile.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive } from "../../../src/system/pidfile.ts";
import { MAIN, REPO } from "../../helpers/cli.ts";
import { countRows, deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";

const TRACER = join(import.meta.dir, "../../helpers/trace-imports.ts");
const WEB_OR_REPORT = /src\/web\/|src\/report\/|fast-png|fft\.js/;

describe("with the web page off", () => {
  let d: Deployment;
  beforeAll(async () => {
    d = deploy({ mic: new Int16Array(16_000 * 20), prefix: "acoupi-web-off-" });
  });
  afterAll(() => d.cleanup());

  test("the runner loads no web server code and opens no port", async () => {
    const setup = d.run([
      "setup", "--program", "default", "--no-prompt", "--microphone.device_name", d.mic.device, "--microphone.samplerate", "16000",
      "--recording.duration", "1", "--recording.interval", "1", "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59",
      "--recording.min_free_mb", "0",
    ]);
    expect(setup.code, said(setup)).toBe(0);
    expect(JSON.parse(readFileSync(join(d.home.acoupiHome, "config/program.json"), "utf8")).web).toEqual({ enabled: false, host: "127.0.0.1", port: 8080, allowed_hosts: [], token: "" });
    // Start the deployment, then run its runner in the foreground under the import tracer.
    expect(d.run(["start", "--name", "quiet", "--no-check"]).code).toBe(0);
    const pidFile = join(d.home.acoupiHome, "run/acoupi.pid");
    const background = readLiveRunner(pidFile)?.pid ?? Number.NaN;
    process.kill(background, "SIGTERM");
    await waitFor("the background runner to stop", () => !isProcessAlive(background));
    const trace = join(d.home.home, "imports.txt");
    writeFileSync(trace, "");
    const runner = Bun.spawn([process.execPath, "--preload", TRACER, MAIN, "run"], {
      env: { ...process.env, ...d.env, ACOUPI_TRACE_IMPORTS: trace },
      cwd: REPO,
      stdout: "ignore",
      stderr: "pipe",
    });
    try {
      const dbPath = join(d.home.acoupiHome, "storages/metadata.db");
      await waitFor("a recording by the traced runner", () => countRows(dbPath, "SELECT id FROM recordings") >= 2);
      expect(existsSync(join(d.home.acoupiHome, "run/web.json"))).toBe(false);
      const imports = readFileSync(trace, "utf8").split("\n").filter(Boolean);
      expect(imports.some((p) => p.endsWith("web-config.ts"))).toBe(true); // the schema is part of the program's config (a template)
      expect(imports.filter((p) => WEB_OR_REPORT.test(p))).toEqual([]);
    } finally {
      runner.kill("SIGTERM");
      expect(await runner.exited).toBe(0);
    }
  }, 60_000);

  test("acoupi --help loads none of the listing, export, spectrogram or web modules", () => {
    const trace = join(d.home.home, "help-imports.txt");
    writeFileSync(trace, "");
    const proc = Bun.spawnSync([process.execPath, "--preload", TRACER, MAIN, "--help"], { env: { ...process.env, ...d.env, ACOUPI_TRACE_IMPORTS: trace } });
    expect(proc.exitCode).toBe(0);
    const help = proc.stdout.toString();
    for (const command of ["recordings", "detections", "summary", "export", "spectrogram", "web"]) expect(help).toMatch(new RegExp(`\\n\\s+${command}\\s{4}`));
    const imports = readFileSync(trace, "utf8").split("\n").filter(Boolean);
    expect(imports.filter((p) => /src\/web\/|src\/report\/|commands\/(recordings|detections|summary|export|spectrogram)|fast-png|fft\.js/.test(p))).toEqual([]);
  });
});
