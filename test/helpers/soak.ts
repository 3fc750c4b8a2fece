/**
 * @module The soak run shared by bench/soak.ts (minutes, figures printed) and the short soak test
 * (about a minute, asserted): an accelerated deployment of the compiled binary — 1 s recordings
 * every second back to back, Silero VAD on each, file management, sends to an HTTP endpoint and
 * heartbeats every second — on the fake microphone, sampling the runner's RSS (VmRSS) and its open
 * file descriptors from /proc every `sampleEveryS` seconds.
 */
import { Database } from "bun:sqlite";
import { readdirSync, readFileSync } from "node:fs";
import { busySetupArgs, deploy, mustRun, readStatusFile, terminate, waitFor } from "./deployment.ts";

export interface SoakSample {
  /** Seconds since the runner started. */
  t: number;
  rssKb: number;
  fds: number;
  threads: number;
  recordings: number;
  delivered: number;
}

export interface SoakOptions {
  binary: string;
  seconds: number;
  sampleEveryS: number;
  /** Called with each sample as it is taken. */
  onSample?: (sample: SoakSample) => void;
}

export interface SoakResult {
  samples: SoakSample[];
  /** The runner's exit code after SIGTERM. */
  exitCode: number | null;
  /** Error lines the runner logged. */
  errors: string[];
}

function procStatus(pid: number): { rssKb: number; threads: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? Number.NaN);
  return { rssKb: field("VmRSS"), threads: field("Threads") };
}

function count(file: string, sql: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.query<{ n: number }, []>(sql).get()?.n ?? 0;
  } finally {
    db.close();
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  let received = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      await request.arrayBuffer();
      received++;
      return new Response("ok");
    },
  });
  const rig = deploy({ binary: options.binary, micSeconds: options.seconds + 30 });
  let result: SoakResult;
  try {
    mustRun(rig, busySetupArgs({ httpUrl: server.url.href, recordingSeconds: 1 }));
    const runner = rig.spawn(["start", "--name", "soak", "--no-check", "--foreground"]);
    const started = performance.now();
    await waitFor("the runner to start", () => readStatusFile(rig)?.pid === runner.pid);
    const samples: SoakSample[] = [];
    try {
      for (let next = 0; next <= options.seconds; next += options.sampleEveryS) {
        const wait = started + next * 1000 - performance.now();
        if (wait > 0) await Bun.sleep(wait);
        if (runner.exitCode !== null) throw new Error(`The runner exited with code ${runner.exitCode} during the soak`);
        const sample: SoakSample = {
          t: Math.round((performance.now() - started) / 1000),
          ...procStatus(runner.pid),
          fds: readdirSync(`/proc/${runner.pid}/fd`).length,
          recordings: count(rig.files.metadata, "SELECT COUNT(*) AS n FROM recordings"),
          delivered: count(rig.files.messages, "SELECT COUNT(*) AS n FROM messages WHERE status = 'delivered'"),
        };
        samples.push(sample);
        options.onSample?.(sample);
      }
    } finally {
      await terminate(runner);
    }
    const errors = readFileSync(rig.runLog, "utf8")
      .split("\n")
      .filter((line) => /\[error\]|\bERROR\b/.test(line));
    result = { samples, exitCode: runner.exitCode, errors };
  } finally {
    server.stop(true);
    rig.cleanup();
  }
  if (received === 0) throw new Error("The soak's HTTP endpoint received no message");
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Growth after the warm-up: the median of the last `window` samples minus the median of the first
 * `window` at or after `warmupS` (medians, so one sample caught before a GC does not decide it).
 */
export function growthAfter(
  samples: readonly SoakSample[],
  warmupS: number,
  pick: (s: SoakSample) => number,
  window = 3,
): { from: number; to: number; growth: number; min: number; max: number } {
  const values = samples.filter((s) => s.t >= warmupS).map(pick);
  if (values.length < 2 * window) throw new Error(`Too few samples after the ${warmupS} s warm-up`);
  const from = median(values.slice(0, window));
  const to = median(values.slice(-window));
  return { from, to, growth: to - from, min: Math.min(...values), max: Math.max(...values) };
}
