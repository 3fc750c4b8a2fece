/**
 * @module Runs the real `acoupi` command (from source, or a compiled binary when
 * ACOUPI_TEST_BINARY is set) against a temp ACOUPI_HOME and HOME, with NO_COLOR=1.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "../..");
export const MAIN = join(REPO, "src/cli/main.ts");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TempHome {
  home: string;
  acoupiHome: string;
  env: Record<string, string>;
  cleanup(): void;
}

export function makeTempHome(prefix = "acoupi-test-"): TempHome {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const acoupiHome = join(home, ".acoupi");
  return {
    home,
    acoupiHome,
    // ACOUPI_SYSTEMD=0: on a machine running systemd, `start` must not install a real service.
    env: { HOME: home, ACOUPI_HOME: acoupiHome, NO_COLOR: "1", ACOUPI_DEVICE_ID: "test-device-0001", ACOUPI_SYSTEMD: "0" },
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

export function acoupiCommand(): string[] {
  const binary = process.env.ACOUPI_TEST_BINARY;
  return binary ? [binary] : [process.execPath, MAIN];
}

export function runAcoupi(args: string[], env: Record<string, string>, options: { cwd?: string; timeoutMs?: number } = {}): CliResult {
  const proc = Bun.spawnSync([...acoupiCommand(), ...args], {
    env: { ...process.env, ...env },
    cwd: options.cwd ?? REPO,
    stdin: "ignore",
    timeout: options.timeoutMs ?? 60_000,
  });
  return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

/** Starts a long-running acoupi command (e.g. `run`) and returns the process. */
export function spawnAcoupi(args: string[], env: Record<string, string>) {
  return Bun.spawn([...acoupiCommand(), ...args], {
    env: { ...process.env, ...env },
    cwd: REPO,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
}
