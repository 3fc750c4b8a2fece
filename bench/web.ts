/**
 * @module Benchmark: the web page's cost. A metadata database of 100,000 recordings (one every
 * 10 s, ending now, so about 7 of its 11.6 days fall in the page's 7-day charts) with
 * BENCH_WEB_DETECTIONS detections on each (10 by default: 1,000,000 in all), and real WAV files
 * for the newest ones. Prints the RSS the process gains from importing and starting the server
 * and serving every route 16 times (target < 10 MB), the median time of each route over real
 * HTTP on loopback (target < 200 ms a page, < 300 ms a species page), and the CPU the process
 * spends while one client listens to the live level (fed as a 48 kHz capture would feed it)
 * against none (target < 1 % of a core). Figures only.
 * Run: ./node_modules/.bin/bun bench/web.ts
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wavHeader } from "../src/audio/wav.ts";
import { SqliteStore } from "../src/components/stores/sqlite-store.ts";
import type { Deployment, ModelOutput, Recording } from "../src/data/index.ts";
import { logger } from "../src/log.ts";
import { BasicConfigSchema } from "../src/programs/templates/basic.ts";
import { acoupiPaths } from "../src/system/paths.ts";

const RECORDINGS = 100_000;
const WITH_FILES = 12;
const RUNS = 15;
const PER_RECORDING = Number(process.env.BENCH_WEB_DETECTIONS ?? 10);
const LIVE_WINDOW_MS = 30_000;
const LABELS = ["Turdus merula", "Erithacus rubecula", "Strix aluco", "Troglodytes troglodytes", "Fringilla coelebs", "Parus major"];

const home = process.env.BENCH_WEB_HOME ?? mkdtempSync(join(tmpdir(), "acoupi-bench-web-"));
process.env.ACOUPI_HOME = join(home, ".acoupi");
const dbPath = join(home, "metadata.db");
const audioDir = join(home, "recordings");
mkdirSync(audioDir, { recursive: true });

function wav(seconds: number, rate: number): Uint8Array {
  const samples = new Int16Array(seconds * rate);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(6000 * Math.sin((2 * Math.PI * (2000 + (i % rate) / 4) * i) / rate));
  const data = new Uint8Array(samples.buffer);
  return Buffer.concat([wavHeader({ samplerate: rate, channels: 1, bitsPerSample: 16 }, data.byteLength), data]);
}

function buildDb(): void {
  const store = new SqliteStore({ db_metadata: dbPath }, { synchronous: "NORMAL" });
  const now = Date.now();
  const deployment: Deployment = { id: crypto.randomUUID(), name: "bench", latitude: 51.5, longitude: -0.1, started_on: new Date(now - RECORDINGS * 10_000), ended_on: null };
  const file = wav(3, 48_000);
  let batch: ModelOutput[] = [];
  store.transaction(() => {
    for (let i = 0; i < RECORDINGS; i++) {
      const created = new Date(now - (RECORDINGS - i) * 10_000);
      const newest = i >= RECORDINGS - WITH_FILES;
      const path = newest ? join(audioDir, `rec-${i}.wav`) : `/gone/rec-${i}.wav`;
      if (newest) writeFileSync(path, file);
      const recording: Recording = { id: crypto.randomUUID(), created_on: created, duration: 3, samplerate: 48_000, deployment, path, audio_channels: 1, time_expansion: 1, bit_depth: 16 };
      store.storeRecording(recording);
      if (PER_RECORDING === 0) continue;
      batch.push({
        id: crypto.randomUUID(),
        name_model: "BirdNET",
        recording,
        created_on: created,
        detections: Array.from({ length: PER_RECORDING }, (_, k) => {
          const label = LABELS[(i + k) % LABELS.length] as string;
          const score = 0.1 + (((i * 7 + k * 13) % 90) / 100);
          return { id: crypto.randomUUID(), prediction_type: "event" as const, location: { type: "BoundingBox" as const, coordinates: [(k % 3) * 0.8, 2000, (k % 3) * 0.8 + 0.6, 6000] as [number, number, number, number] }, detection_score: score, tags: [{ tag: { key: "species", value: label }, confidence_score: score }] };
        }),
      });
      if (batch.length === 1000) {
        store.storeModelOutputs(batch);
        batch = [];
      }
    }
    store.storeModelOutputs(batch);
  });
  store.close();
}

function rssMb(): number {
  Bun.gc(true);
  return process.memoryUsage().rss / 1e6;
}

async function median(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const times: number[] = [];
  let bytes = 0;
  let status = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    const response = await fetch(url);
    bytes = (await response.arrayBuffer()).byteLength;
    status = response.status;
    times.push(performance.now() - t);
  }
  return { ms: times.sort((a, b) => a - b)[Math.floor(RUNS / 2)] as number, bytes, status };
}

async function serve(): Promise<void> {
  // The child: a process shaped like the runner (config schema and logger loaded), serving the page.
  const programConfig = BasicConfigSchema.parse({ paths: { db_metadata: dbPath, recordings: audioDir, tmp_audio: audioDir }, web: { enabled: true, port: 0 } });
  const before = rssMb();
  const { startWebServer } = await import("../src/web/server.ts");
  const { LiveLevel } = await import("../src/audio/live-level.ts");
  const liveLevel = new LiveLevel();
  // What the capture Worker does: 100 ms reads of 48 kHz mono, measured only while someone watches.
  const read = new Int16Array(4800).map((_, i) => Math.round(3000 * Math.sin(i / 3)));
  setInterval(() => liveLevel.feed(read, 48_000), 100);
  const server = startWebServer({ config: programConfig.web, paths: acoupiPaths(), programName: "default", configSchema: BasicConfigSchema, programConfig, logger: logger("bench-web"), acoupiCommand: [process.execPath, join(import.meta.dir, "../src/cli/main.ts")], liveLevel });
  const started = rssMb();
  console.log(JSON.stringify({ port: server.port, before, started }));
  process.once("SIGTERM", async () => {
    console.log(JSON.stringify({ served: rssMb() }));
    await server.stop();
    process.exit(0);
  });
}

async function lines(stream: ReadableStream<Uint8Array>): Promise<() => Promise<string>> {
  const reader = stream.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = "";
  return async () => {
    for (;;) {
      const nl = buffer.indexOf("\n");
      if (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.startsWith("{")) return line;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("the server process ended early");
      buffer += value;
    }
  };
}

if (process.argv[2] === "--serve") {
  await serve();
} else {
  const t0 = performance.now();
  // BENCH_WEB_HOME with BENCH_WEB_KEEP reuses a database an earlier run built.
  if (existsSync(dbPath)) console.log(`Reusing ${dbPath}`);
  else buildDb();
  console.log(`Built ${RECORDINGS} recordings (${RECORDINGS * PER_RECORDING} detections) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const child = Bun.spawn([process.execPath, import.meta.path, "--serve"], { env: { ...process.env, BENCH_WEB_HOME: home, ACOUPI_LOG_LEVEL: "warn" }, stdout: "pipe", stderr: "inherit" });
  const next = await lines(child.stdout);
  const ready = JSON.parse(await next()) as { port: number; before: number; started: number };
  const base = `http://127.0.0.1:${ready.port}`;
  const cold = performance.now();
  const page = await (await fetch(`${base}/`)).text();
  // The first view counts the charts' 31 days of detections once (hourly-counts.ts); later views only what is new.
  const coldOverviewMs = performance.now() - cold;
  // The charts' counts catch up in the background, in steps; time them, then measure the routes once they are done.
  let countedMs = 0;
  while ((await (await fetch(`${base}/`)).text()).includes("Still counting")) countedMs = performance.now() - cold;
  countedMs = performance.now() - cold;
  const countedRss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  const ids = [...page.matchAll(/data-recording="([0-9a-f-]{36})"/g)].map((m) => m[1] as string);
  const firstPng = performance.now();
  await (await fetch(`${base}/recordings/${ids[0]}/spectrogram.png`)).arrayBuffer();
  const uncachedPngMs = performance.now() - firstPng;
  for (const id of ids) await (await fetch(`${base}/recordings/${id}/spectrogram.png`)).arrayBuffer();

  const detectionIds = [...(await (await fetch(`${base}/detections`)).text()).matchAll(/data-detection="([0-9a-f-]{36})"/g)].map((m) => m[1] as string);
  const oldest = new Date(Date.now() - (RECORDINGS - 100) * 10_000).toISOString();
  await (await fetch(`${base}/detections/${detectionIds[0]}/spectrogram.png`)).arrayBuffer();

  console.log(`\nRoutes over loopback HTTP, median of ${RUNS} (${RECORDINGS} recordings, ${RECORDINGS * PER_RECORDING} detections):`);
  const routes: Array<[string, string]> = [
    ["/ (overview)", "/"],
    ["/metrics", "/metrics"],
    ["/health", "/health"],
    ["/detections", "/detections"],
    ["/detections?species=", `/detections?species=${encodeURIComponent(LABELS[2] as string)}`],
    ["/detections?min_score=0.95", "/detections?min_score=0.95"],
    ["/detections?verdict=false", "/detections?verdict=false"],
    ["/detections (oldest page)", `/detections?before=${oldest}`],
    ["/recordings", "/recordings"],
    ["/recordings (oldest page)", `/recordings?before=${oldest}`],
    ["/species/<label>", `/species/${encodeURIComponent(LABELS[0] as string)}`],
    ["detection clip.wav", `/detections/${detectionIds[0]}/clip.wav`],
    ["detection png (cached)", `/detections/${detectionIds[0]}/spectrogram.png`],
    ["spectrogram (cached)", `/recordings/${ids[0]}/spectrogram.png`],
    ["audio.wav (3 s, 48 kHz)", `/recordings/${ids[0]}/audio.wav`],
  ];
  // The server's RSS after each route's runs (no GC forced there): where the growth comes from.
  const childRssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  for (const [name, path] of routes) {
    const r = await median(`${base}${path}`);
    console.log(`  ${name.padEnd(26)} ${r.ms.toFixed(1).padStart(7)} ms  ${r.bytes} bytes  (HTTP ${r.status})  RSS ${childRssMb().toFixed(1)} MB`);
  }
  console.log(`  ${"spectrogram (first render)".padEnd(26)} ${uncachedPngMs.toFixed(1).padStart(7)} ms`);
  console.log(`  ${"/ (first view)".padEnd(26)} ${coldOverviewMs.toFixed(1).padStart(7)} ms  (charts partial until counted, ${(countedMs / 1000).toFixed(1)} s after start; RSS then ${countedRss.toFixed(1)} MB)`);

  const cpuMs = () => {
    const f = (readFileSync(`/proc/${child.pid}/stat`, "utf8").split(") ")[1] ?? "").split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  };
  const window = async (): Promise<number> => {
    const c0 = cpuMs();
    await Bun.sleep(LIVE_WINDOW_MS);
    return (cpuMs() - c0) / LIVE_WINDOW_MS;
  };
  const idle = await window();
  const live = await fetch(`${base}/live/level`);
  const reader = (live.body as ReadableStream<Uint8Array>).getReader();
  let events = 0;
  const reading = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      events += new TextDecoder().decode(value).split("data:").length - 1;
    }
  })();
  const watched = await window();
  await reader.cancel();
  await reading;
  console.log(`\nLive level, ${LIVE_WINDOW_MS / 1000} s windows: ${(idle * 100).toFixed(2)} % of a core with nobody watching, ${(watched * 100).toFixed(2)} % with one client (${events} events);`);
  console.log(`one client costs ${((watched - idle) * 100).toFixed(2)} % of a core (target < 1 %)`);
  child.kill("SIGTERM");
  const { served } = JSON.parse(await next()) as { served: number };
  await child.exited;
  console.log(`\nServer process RSS: ${ready.before.toFixed(1)} MB before importing the server, ${ready.started.toFixed(1)} MB once listening (+${(ready.started - ready.before).toFixed(1)} MB),`);
  console.log(`${served.toFixed(1)} MB after serving every route ${RUNS + 1} times (+${(served - ready.before).toFixed(1)} MB; target < 10 MB)`);
  if (process.env.BENCH_WEB_KEEP) console.log(`kept ${home}`);
  else rmSync(home, { recursive: true, force: true });
}
