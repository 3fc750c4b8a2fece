/**
 * @module The one deployment rig of the end-to-end tests: a real deployment in a temp folder
 * (HOME and ACOUPI_HOME), a fake ALSA microphone that the recorder sees through
 * ACOUPI_ALSA_CONFIG, and the real `acoupi` command run against it, from source or as a compiled
 * binary (built once per source state by binaries.ts, or ACOUPI_TEST_BINARY), with NO_COLOR=1 and
 * systemd off. Commands run to completion (`run`, or `runAsync` when this process must keep
 * serving HTTP to them) or in the background (`spawn`, output appended to a log file so a long run
 * never blocks on a full pipe). `cleanup` stops the runners it started and any runner the pidfile
 * names, then deletes the folder. What tests do with a deployment (setup arguments, polling,
 * read-only views) is in deployment-helpers.ts, exported from here too: one import for a test.
 */
import { Database } from "bun:sqlite";
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { acoupiPaths } from "../../src/system/paths.ts";
import { isProcessAlive, readLivePid } from "../../src/system/pidfile.ts";
import { buildBinary } from "./binaries.ts";
import { MAIN, REPO, type CliResult, type TempHome } from "./cli.ts";
import { fakeMicConfig, type FakeMicSource } from "./fake-mic.ts";

import { MIC_DEVICE } from "./deployment-helpers.ts";

export * from "./deployment-helpers.ts";

export const DEMO_CLIP = join(REPO, "assets/demo-clip.raw");

/** The compiled binary under test: ACOUPI_TEST_BINARY, else the x64 build of this source state. */
export function binaryUnderTest(): string {
  return process.env.ACOUPI_TEST_BINARY || buildBinary("x64");
}

/** argv that runs acoupi: the compiled `binary`, or the CLI from source. */
export function acoupiArgv(binary?: string): string[] {
  return binary === undefined ? [process.execPath, MAIN] : [binary];
}

export interface DeploymentOptions {
  /** What the microphone plays: samples, a raw file (copied), or a named pipe the test feeds; by default the demo clip. */
  mic?: FakeMicSource;
  /** Seconds of the demo clip (repeated) when `mic` is not given; 27 by default. */
  micSeconds?: number;
  /** A compiled binary to run; the CLI from source by default. */
  binary?: string;
  /** The temp folder's name prefix. */
  prefix?: string;
  /** A parent folder for the temp folder; the OS temp folder by default. */
  parent?: string;
  /** Where ACOUPI_HOME goes (e.g. on a small tmpfs); `<temp folder>/.acoupi` by default. */
  acoupiHome?: string;
}

export interface Deployment {
  /** The temp folder holding everything; also HOME and the commands' working folder. */
  dir: string;
  acoupiHome: string;
  /** HOME, ACOUPI_HOME and env, as makeTempHome gives them. */
  home: TempHome;
  /** The environment every command gets (over this process's, without its ACOUPI_* variables). */
  env: Record<string, string>;
  mic: {
    device: string;
    /** The raw S16_LE file (or named pipe) the fake microphone reads. */
    rawPath: string;
  };
  /** The asoundrc-syntax file ACOUPI_ALSA_CONFIG points at. */
  alsaConfig: string;
  /** Where spawned commands write their stdout and stderr. */
  runLog: string;
  files: {
    metadata: string;
    messages: string;
    tmp: string;
    recordings: string;
    status: string;
    pid: string;
    programJson: string;
  };
  /** Runs `acoupi <args>` to completion. */
  run(args: string[], extraEnv?: Record<string, string>): CliResult;
  /** Runs `acoupi <args>` to completion without blocking this process (which may serve HTTP to it). */
  runAsync(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  /** Starts `acoupi <args>` (e.g. `run`) in the background, its output appended to `runLog`. */
  spawn(args: string[], extraEnv?: Record<string, string>): Subprocess;
  /** Points the fake microphone at another raw file (rewrites the ALSA config file). */
  setMicInfile(infile: string): void;
  /** The metadata database (or `path`), opened read-only; closed by `cleanup`. */
  db(path?: string): Database;
  /** Stops what is still running (spawned commands, the pidfile's runner) and deletes the folder. */
  cleanup(): void;
}

/** The demo clip (speech, silence, tone) repeated to at least `seconds`, as raw S16_LE bytes. */
export function demoAudio(seconds: number): Buffer {
  const clip = readFileSync(DEMO_CLIP);
  const repeats = Math.max(1, Math.ceil((seconds * 16000 * 2) / clip.byteLength));
  return Buffer.concat(Array.from({ length: repeats }, () => clip));
}

function writeMic(source: FakeMicSource | undefined, micSeconds: number, rawPath: string): void {
  if (source === undefined) writeFileSync(rawPath, demoAudio(micSeconds));
  else if (source instanceof Int16Array) writeFileSync(rawPath, new Uint8Array(source.buffer, source.byteOffset, source.byteLength));
  else if ("rawFile" in source) copyFileSync(source.rawFile, rawPath);
  else {
    const made = Bun.spawnSync(["mkfifo", rawPath]);
    if (made.exitCode !== 0) throw new Error(`mkfifo ${rawPath} failed: ${made.stderr.toString()}`);
  }
}

export function deploy(options: DeploymentOptions = {}): Deployment {
  const dir = mkdtempSync(join(options.parent ?? tmpdir(), options.prefix ?? "acoupi-deploy-"));
  const acoupiHome = options.acoupiHome ?? join(dir, ".acoupi");
  mkdirSync(acoupiHome, { recursive: true });
  const rawPath = join(dir, "mic.raw");
  writeMic(options.mic, options.micSeconds ?? 27, rawPath);
  const alsaConfig = join(dir, "alsa.conf");
  const setMicInfile = (infile: string) => writeFileSync(alsaConfig, fakeMicConfig(MIC_DEVICE, infile));
  setMicInfile(rawPath);
  const runLog = join(dir, "runner.log");
  const homeEnv = { HOME: dir, ACOUPI_HOME: acoupiHome, NO_COLOR: "1", ACOUPI_DEVICE_ID: "test-device-0001", ACOUPI_SYSTEMD: "0" };
  const env: Record<string, string> = { ...homeEnv, ACOUPI_ALSA_CONFIG: alsaConfig };
  const argv = acoupiArgv(options.binary);
  const storages = join(acoupiHome, "storages");
  // Every process `spawn` started and every database `db` opened: cleanup ends them, so a failed test leaves nothing behind.
  const spawned: Subprocess[] = [];
  const opened: Database[] = [];
  const childEnv = (extra: Record<string, string> = {}) => {
    const base: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith("ACOUPI_")) base[key] = value;
    return { ...base, ...env, ...extra };
  };
  const cleanup = () => {
    for (const db of opened.splice(0)) db.close();
    for (const proc of spawned) if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    stopRunner(acoupiHome);
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    dir,
    acoupiHome,
    home: { home: dir, acoupiHome, env: homeEnv, cleanup },
    env,
    mic: { device: MIC_DEVICE, rawPath },
    alsaConfig,
    runLog,
    files: {
      metadata: join(storages, "metadata.db"),
      messages: join(storages, "messages.db"),
      tmp: join(acoupiHome, "tmp"),
      recordings: join(storages, "recordings"),
      status: join(acoupiHome, "run", "status.json"),
      pid: join(acoupiHome, "run", "acoupi.pid"),
      programJson: join(acoupiHome, "config", "program.json"),
    },
    run(args, extraEnv) {
      const proc = Bun.spawnSync([...argv, ...args], { env: childEnv(extraEnv), cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 120_000 });
      return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
    },
    async runAsync(args, extraEnv) {
      const proc = Bun.spawn([...argv, ...args], { env: childEnv(extraEnv), cwd: dir, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 120_000 });
      const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
      return { code: (await proc.exited) ?? -1, stdout, stderr };
    },
    spawn(args, extraEnv) {
      const fd = openSync(runLog, "a");
      try {
        const proc = Bun.spawn([...argv, ...args], { env: childEnv(extraEnv), cwd: dir, stdin: "ignore", stdout: fd, stderr: fd });
        spawned.push(proc);
        return proc;
      } finally {
        closeSync(fd);
      }
    },
    setMicInfile,
    db(path = join(storages, "metadata.db")) {
      const db = new Database(path, { readonly: true });
      opened.push(db);
      return db;
    },
    cleanup,
  };
}

/** Stops the runner the pidfile names (one `start` left running): SIGTERM, then SIGKILL after 10 s. */
function stopRunner(acoupiHome: string): void {
  const pid = readLivePid(acoupiPaths(acoupiHome).pidFile);
  if (pid === null) return;
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 200 && isProcessAlive(pid); i++) Bun.sleepSync(50);
  if (isProcessAlive(pid)) process.kill(pid, "SIGKILL");
}
