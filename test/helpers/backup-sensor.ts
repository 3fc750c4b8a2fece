/**
 * @module A set-up sensor for the backup tests: a temp home configured with the default program
 * (by the real `acoupi setup`), whose metadata database is the report fixture written by the real
 * SqliteStore with its recordings filed under `storages/recordings` and their paths stored
 * relative to it, as a runner leaves them.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { makeTempHome, runAcoupi, type CliResult, type TempHome } from "./cli.ts";
import { writeFixtureDb, type FixtureDb } from "./fixture-db.ts";

export interface Sensor {
  home: TempHome;
  storages: string;
  recordings: string;
  fixture: FixtureDb;
  acoupi(args: string[], options?: { timeoutMs?: number }): CliResult;
}

export function makeSensor(prefix = "acoupi-backup-"): Sensor {
  const home = makeTempHome(prefix);
  const setup = runAcoupi(["setup", "--program", "default", "--no-prompt", "--timezone", "UTC"], home.env);
  if (setup.code !== 0) throw new Error(`setup failed: ${setup.stdout}${setup.stderr}`);
  const storages = join(home.acoupiHome, "storages");
  const recordings = join(storages, "recordings");
  mkdirSync(recordings, { recursive: true });
  const fixture = writeFixtureDb(storages, { recordingsDir: recordings });
  return { home, storages, recordings, fixture, acoupi: (args, options) => runAcoupi(args, home.env, options) };
}

/** `sha256sum -c` run in `dir`: its exit code and output. */
export function sha256Check(dir: string): { code: number; output: string } {
  const proc = Bun.spawnSync(["sha256sum", "--strict", "-c", "SHA256SUMS"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  return { code: proc.exitCode ?? -1, output: proc.stdout.toString() + proc.stderr.toString() };
}
