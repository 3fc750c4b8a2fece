/**
 * @module What most commands start with: the configured program, its validated config, and the
 * dependencies a program instance gets (paths, device id, clock, logger).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { readProgramConfig, readProgramName } from "../config/config-file.ts";
import { validateConfig } from "../config/validate.ts";
import { AcoupiError } from "../errors.ts";
import { logger } from "../log.ts";
import { BUILTIN_PROGRAMS } from "../../programs/index.ts";
import { programRegistry } from "../programs/registry.ts";
import type { ProgramDefinition, ProgramDeps } from "../programs/types.ts";
import { systemClock } from "../scheduler/clock.ts";
import { getDeviceId } from "../system/device-id.ts";
import { readRunnerConfig, runnerConfigFile } from "./runner-config.ts";
import { acoupiPaths, type AcoupiPaths } from "../system/paths.ts";
import { VERSION } from "../version.ts";

/** The built-in programs and external program files, as every command finds them. */
export const programs = programRegistry(BUILTIN_PROGRAMS);

export interface Configured {
  paths: AcoupiPaths;
  programName: string;
  definition: ProgramDefinition;
  config: z.output<z.ZodType>;
}

export async function loadConfigured(paths: AcoupiPaths = acoupiPaths()): Promise<Configured> {
  const programName = readProgramName(paths);
  const definition = await programs.load(programName);
  const config = readProgramConfig(paths, definition.configSchema);
  return { paths, programName, definition, config };
}

/**
 * The program and config the runner of deployment `deploymentId` started with (its snapshot), or
 * the configured ones when no runner ever started this deployment. `changed` tells whether program.json differs since.
 */
export async function loadStartedWith(deploymentId: string, paths: AcoupiPaths = acoupiPaths()): Promise<Configured & { changed: boolean }> {
  const snapshot = readRunnerConfig(paths);
  if (!snapshot || snapshot.deployment_id !== deploymentId) return { ...(await loadConfigured(paths)), changed: false };
  const definition = await programs.load(snapshot.program);
  const config = validateConfig(definition.configSchema, snapshot.config, { source: runnerConfigFile(paths) });
  let changed = true;
  try {
    const current = await loadConfigured(paths);
    changed = current.programName !== snapshot.program || JSON.stringify(current.config) !== JSON.stringify(config);
  } catch (error) {
    // program.json is broken or gone: the snapshot is all stop needs, and `changed` stays true.
    if (!(error instanceof AcoupiError)) throw error;
  }
  return { paths, programName: snapshot.program, definition, config, changed };
}

export function deviceIdFile(paths: AcoupiPaths): string {
  return join(paths.configDir, "device_id");
}

/** The device id: ACOUPI_DEVICE_ID, then config/device_id (set by `setup --device-id`), then the hardware. */
export function resolveDeviceId(paths: AcoupiPaths): string {
  const file = deviceIdFile(paths);
  const fromFile = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
  return getDeviceId({ override: process.env.ACOUPI_DEVICE_ID || fromFile || undefined });
}

export function programDeps(paths: AcoupiPaths, tag: string): ProgramDeps {
  return { paths, deviceId: resolveDeviceId(paths), clock: systemClock, logger: logger(tag), version: VERSION };
}
