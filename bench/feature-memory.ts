/**
 * @module Benchmark: what each feature costs in memory, for the compiled x64 runner of the
 * `default` program (48 kHz, 3 s every 10 s) on the fake microphone: alone, with the privacy
 * screen, with the page (one GET of the page and of /metrics, as a new user would), and with both;
 * next to `detection` with Silero VAD as its model (ORT without the privacy task). Each runner is
 * measured 35 s after start (after the start-up page release at 20 s) and after its first
 * recording was stored (and screened, with privacy on): VmRSS, VmHWM and PSS. The runners run one
 * after the other, each with its own copy of the binary (shared pages would hide the cost).
 * In-process figures follow: the RSS that ORT-web's WASM instance, a Silero session and each
 * resampler add to a bare Bun process. Asserts nothing.
 * Run: `./node_modules/.bin/bun bench/feature-memory.ts`.
 */
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary } from "../test/helpers/binaries.ts";
import { testSignal } from "../test/helpers/fake-mic.ts";
import { benchHome, memoryOf, SILERO, type Memory } from "./deployment.ts";
import { ALWAYS } from "./model-memory.ts";

const SETTLE_MS = 35_000;

function count(db: string, table: string): number {
  if (!existsSync(db)) return 0;
  const conn = new Database(db, { readonly: true });
  try {
    const exists = conn.query("SELECT name FROM sqlite_master WHERE name = ?").get(table);
    return exists === null ? 0 : (conn.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } catch (error) {
    if ((error as { code?: string }).code === "SQLITE_BUSY") return 0;
    throw error;
  } finally {
    conn.close();
  }
}

function freePort(): number {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = server.port as number;
  server.stop(true);
  return port;
}

async function runner(binary: string, args: string[], options: { page: boolean; waitFor: "recordings" | "model_outputs" }): Promise<Memory> {
  const bench = await benchHome(binary, testSignal(48_000 * 4));
  try {
    // Each runner gets its own copy of the binary, so no page is shared with another process.
    const own = join(bench.home.home, "acoupi");
    copyFileSync(binary, own);
    const port = freePort();
    const page = options.page ? ["--web.enabled", "true", "--web.port", String(port)] : [];
    const setup = Bun.spawnSync([own, "setup", "--no-prompt", "--microphone.device_name", bench.mic.device, "--microphone.samplerate", "48000",
      "--recording.duration", "3", "--recording.interval", "10", ...ALWAYS, ...page, ...args], { env: { ...process.env, ...bench.env }, cwd: bench.home.home, stdout: "pipe", stderr: "pipe" });
    if (setup.exitCode !== 0) throw new Error(`setup failed: ${setup.stderr.toString()}`);
    const start = Bun.spawnSync([own, "start", "--name", "feature-memory", "--no-check"], { env: { ...process.env, ...bench.env }, cwd: bench.home.home, stdout: "pipe", stderr: "pipe" });
    if (start.exitCode !== 0) throw new Error(`start failed: ${start.stderr.toString()}`);
    const started = Date.now();
    const pid = bench.runnerPid();
    if (pid === null) throw new Error("the runner has no pidfile");
    const db = join(bench.home.acoupiHome, "storages/metadata.db");
    while (count(db, options.waitFor) === 0) {
      if (Date.now() - started > 90_000) throw new Error(`no ${options.waitFor} row within 90 s`);
      await Bun.sleep(250);
    }
    if (options.page) {
      for (const path of ["/", "/metrics"]) await (await fetch(`http://127.0.0.1:${port}${path}`)).arrayBuffer();
    }
    await Bun.sleep(Math.max(0, SETTLE_MS - (Date.now() - started)));
    const memory = memoryOf(pid);
    Bun.spawnSync([own, "stop"], { env: { ...process.env, ...bench.env }, cwd: bench.home.home });
    return memory;
  } finally {
    await bench.cleanup();
  }
}

/** RSS after a GC, in MiB, of this process. */
function rss(): number {
  Bun.gc(true);
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? NaN) / 1024;
}

/** Each step's RSS increase in a child Bun process (a fresh heap for each measurement). */
function inProcess(step: "ort" | "silero" | "libsamplerate" | "ours"): number {
  const proc = Bun.spawnSync([process.execPath, import.meta.path, "--step", step], { stdout: "pipe", stderr: "pipe" });
  const value = Number(proc.stdout.toString().trim());
  if (!Number.isFinite(value)) throw new Error(`step ${step} failed: ${proc.stderr.toString()}`);
  return value;
}

async function step(name: string): Promise<void> {
  const audio = Float32Array.from({ length: 48_000 * 3 }, (_, i) => 0.1 * Math.sin(i / 7));
  const before = rss();
  if (name === "ort") {
    const { loadOrt } = await import("../src/components/models/_ort-runtime.ts");
    await loadOrt(1);
  } else if (name === "silero") {
    const { loadOrt } = await import("../src/components/models/_ort-runtime.ts");
    await loadOrt(1);
    const base = rss();
    const { SileroVadConfigSchema, SileroVadModel } = await import("../src/components/models/silero-vad-model.ts");
    const { resampleSync } = await import("../src/audio/resample.ts");
    resampleSync(audio, 48_000, 16_000);
    const model = new SileroVadModel(SileroVadConfigSchema.parse({ path: SILERO }));
    await model.check();
    console.log((rss() - base).toFixed(1));
    return;
  } else if (name === "libsamplerate") {
    const { create } = await import("@alexanderolsen/libsamplerate-js");
    const converter = await create(1, 48_000, 16_000, { converterType: 1 });
    converter.simple(audio);
    converter.destroy();
  } else {
    const { resampleSync } = await import("../src/audio/resample.ts");
    resampleSync(audio, 48_000, 16_000);
  }
  await Bun.sleep(1000);
  console.log((rss() - before).toFixed(1));
}

async function main(): Promise<void> {
  const binary = buildBinary("x64");
  console.log(`Compiled binary: ${binary}\n`);
  const privacy = ["--privacy.enabled", "true"];
  const rows: Array<[string, Memory]> = [];
  rows.push(["default", await runner(binary, ["--program", "default"], { page: false, waitFor: "recordings" })]);
  rows.push(["default + privacy screen", await runner(binary, ["--program", "default", ...privacy], { page: false, waitFor: "model_outputs" })]);
  rows.push(["default + page", await runner(binary, ["--program", "default"], { page: true, waitFor: "recordings" })]);
  rows.push(["default + privacy screen + page", await runner(binary, ["--program", "default", ...privacy], { page: true, waitFor: "model_outputs" })]);
  rows.push(["detection, Silero VAD model", await runner(binary, ["--program", "detection", "--model.kind", "silero_vad", "--model.path", SILERO], { page: false, waitFor: "model_outputs" })]);
  const base = rows[0]?.[1].rssMb ?? NaN;
  console.log(`Runner memory (compiled x64), ${SETTLE_MS / 1000} s after start and after its first recording:`);
  for (const [name, m] of rows) {
    const delta = name === "default" ? "" : `   (+${(m.rssMb - base).toFixed(1)} MB RSS)`;
    console.log(`  ${name.padEnd(34)} RSS ${m.rssMb.toFixed(1)} MB   peak ${m.hwmMb.toFixed(1)} MB   PSS ${m.pssMb.toFixed(1)} MB${delta}`);
  }
  console.log("\nIn a fresh Bun process (RSS added, MiB, after a GC):");
  console.log(`  ORT-web WASM instance (loadOrt):              +${inProcess("ort")}`);
  console.log(`  Silero session on top of it, with a resample: +${inProcess("silero")}`);
  console.log(`  libsamplerate, 3 s 48→16 kHz (as before):     +${inProcess("libsamplerate")}`);
  console.log(`  our resampler, 3 s 48→16 kHz:                 +${inProcess("ours")}`);
}

const stepArg = process.argv.indexOf("--step");
if (stepArg >= 0) await step(process.argv[stepArg + 1] ?? "");
else if (import.meta.main) await main();
