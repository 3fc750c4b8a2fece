/**
 * @module A whole deployment for the program tests: a temp HOME and ACOUPI_HOME, a fake ALSA
 * microphone made visible to the recorder through ACOUPI_ALSA_CONFIG, and the real `acoupi`
 * command (from source, or a given compiled binary) run against them with NO_COLOR=1 and systemd
 * off. `waitFor` polls the disk (the runner is another process), and `cleanup` stops a runner
 * that a failed test left behind, by its own pid only.
 */
import { Database } from "bun:sqlite";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { acoupiPaths } from "../../src/system/paths.ts";
import { isProcessAlive, readLivePid } from "../../src/system/pidfile.ts";
import { MAIN, makeTempHome, REPO, type CliResult, type TempHome } from "./cli.ts";
import { createFakeMic, type FakeMic, type FakeMicSource } from "./fake-mic.ts";

export interface Deployed {
  home: TempHome;
  mic: FakeMic;
  env: Record<string, string>;
  /** Runs `acoupi <args>` to completion. */
  run(args: string[], extraEnv?: Record<string, string>): CliResult;
  /** The metadata database, opened read-only (the runner may be writing: WAL lets both go on). */
  db(path?: string): Database;
  cleanup(): Promise<void>;
}

export function acoupiArgv(binary?: string): string[] {
  return binary === undefined ? [process.execPath, MAIN] : [binary];
}

export async function deploy(source: FakeMicSource, options: { binary?: string; prefix?: string } = {}): Promise<Deployed> {
  const home = makeTempHome(options.prefix ?? "acoupi-program-");
  const mic = await createFakeMic(source, { parent: home.home });
  const alsaConfig = join(home.home, "alsa.conf");
  writeFileSync(alsaConfig, mic.configText);
  const env = { ...home.env, ACOUPI_ALSA_CONFIG: alsaConfig, ACOUPI_SYSTEMD: "0" };
  const argv = acoupiArgv(options.binary);
  const opened: Database[] = [];
  return {
    home,
    mic,
    env,
    run(args, extraEnv = {}) {
      const proc = Bun.spawnSync([...argv, ...args], {
        env: { ...process.env, ...env, ...extraEnv },
        cwd: REPO,
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
        timeout: 120_000,
      });
      return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
    },
    db(path = join(home.acoupiHome, "storages/metadata.db")) {
      const db = new Database(path, { readonly: true });
      opened.push(db);
      return db;
    },
    async cleanup() {
      for (const db of opened) db.close();
      const pid = readLivePid(acoupiPaths(home.acoupiHome).pidFile);
      if (pid !== null) {
        process.kill(pid, "SIGTERM");
        for (let i = 0; i < 200 && isProcessAlive(pid); i++) await Bun.sleep(50);
        if (isProcessAlive(pid)) process.kill(pid, "SIGKILL");
      }
      await mic.cleanup();
      home.cleanup();
    },
  };
}

/** Polls `probe` until it returns a value other than null/false, or throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | null | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(100);
  }
}

/** The number of rows a query returns, or 0 while the database or its tables do not exist yet. */
export function countRows(dbPath: string, sql: string): number {
  if (!existsSync(dbPath)) return 0;
  const db = new Database(dbPath, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 5000"); // the runner may be creating the schema right now
    return (db.query(`SELECT count(*) AS n FROM (${sql})`).get() as { n: number }).n;
  } catch (error) {
    if (error instanceof Error && /no such table/.test(error.message)) return 0;
    throw error;
  } finally {
    db.close();
  }
}

/** Failure text for a CLI result, so a failed expectation shows what the command said. */
export function said(result: CliResult): string {
  return `exit ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;
}
