/**
 * @module The configuration the runner started with, in `run/runner-config.json` (mode 0600: it
 * holds the same secrets as program.json). The runner writes it before its first task; `acoupi
 * stop` ends the deployment with it, so the end hooks file the recordings in the folders and
 * databases the runner really used, whatever happened to program.json since.
 */
import { existsSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile } from "../system/json-file.ts";
import { ConfigError } from "../errors.ts";
import { writeFileAtomic } from "../system/atomic-write.ts";
import type { AcoupiPaths } from "../system/paths.ts";

export interface RunnerConfig {
  program: string;
  config: unknown;
  /** The deployment the runner ran: a snapshot of another deployment is not used. */
  deployment_id: string;
}

export function runnerConfigFile(paths: AcoupiPaths): string {
  return join(paths.runDir, "runner-config.json");
}

export function writeRunnerConfig(paths: AcoupiPaths, snapshot: RunnerConfig): void {
  writeFileAtomic(runnerConfigFile(paths), `${JSON.stringify(snapshot, null, 2)}\n`, 0o600);
}

export function readRunnerConfig(paths: AcoupiPaths): RunnerConfig | null {
  const file = runnerConfigFile(paths);
  if (!existsSync(file)) return null;
  const value = readJsonFile(file) as Partial<RunnerConfig> | null;
  if (!value || typeof value.program !== "string" || value.program === "") {
    throw new ConfigError(`${file} has no program name`, { help: `Remove ${file}; \`acoupi stop\` then uses program.json` });
  }
  return { program: value.program, config: value.config, deployment_id: typeof value.deployment_id === "string" ? value.deployment_id : "" };
}

export function removeRunnerConfig(paths: AcoupiPaths): void {
  const file = runnerConfigFile(paths);
  if (existsSync(file)) unlinkSync(file);
}
