/**
 * @module The acoupi systemd service: install, uninstall, status, and the start/stop that
 * `acoupi start` and `acoupi stop` use when systemd runs the machine.
 *
 * Scope: as root (or sudo) the unit is system-wide, `/etc/systemd/system/acoupi.service` with
 * `User=` the invoking user, wanted by multi-user.target, so a Pi in the field starts recording
 * at boot with nobody logged in. Without root it is a user unit plus `loginctl enable-linger`,
 * which also starts at boot and needs no sudo for later starts and stops. `--system`/`--user`
 * choose explicitly. The service is enabled on `acoupi start` and disabled on `acoupi stop`
 * (as acoupi 0.6 did), so a reboot resumes an active deployment and never starts an ended one.
 */
import { accessSync, constants, existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { AcoupiError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import { writeFileAtomic } from "../atomic-write.ts";
import { selfCommand } from "../self-command.ts";
import { defaultScope, enableLinger, invokingUser, systemctl, systemdAvailable, unitDir } from "./_systemctl.ts";
import { renderUnit, UNIT_NAME, type ServiceScope } from "./unit-file.ts";

export { systemdAvailable } from "./_systemctl.ts";
export type { ServiceScope } from "./unit-file.ts";

export class ServiceError extends AcoupiError {
  constructor(message: string, options: { help?: string; cause?: unknown } = {}) {
    super("service", message, options);
  }
}

export interface InstalledUnit {
  scope: ServiceScope;
  path: string;
}

export interface ServiceStatus {
  systemd: boolean;
  installed: InstalledUnit | null;
  /** `systemctl is-active` / `is-enabled` output, or null when not installed or no systemd. */
  active: string | null;
  enabled: string | null;
  /** False when the unit on disk differs from what `install` would write now (e.g. the binary moved). */
  current: boolean | null;
}

function scopeFlag(scope: ServiceScope): string {
  return scope === "user" ? "systemctl --user" : "sudo systemctl";
}

/** The home the service should use: ACOUPI_HOME if set, else the invoking user's ~/.acoupi. */
export function serviceHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ACOUPI_HOME && env.ACOUPI_HOME !== "") return resolve(env.ACOUPI_HOME);
  return join(invokingUser(env).home, ".acoupi");
}

/** The unit `install` would write for this process. */
export function desiredUnit(scope: ServiceScope, env: NodeJS.ProcessEnv = process.env): string {
  return renderUnit({
    command: [...selfCommand().map((p) => resolve(p)), "run"],
    acoupiHome: serviceHome(env),
    scope,
    user: invokingUser(env).name,
    version: VERSION,
  });
}

/** The installed acoupi unit, looking in the default scope's directory first. */
export function installedUnit(env: NodeJS.ProcessEnv = process.env): InstalledUnit | null {
  const first = defaultScope();
  for (const scope of [first, first === "system" ? "user" : "system"] as ServiceScope[]) {
    const path = join(unitDir(scope, env), UNIT_NAME);
    if (!existsSync(path)) continue;
    // With ACOUPI_SYSTEMD_DIR both scopes share a directory; the unit itself says which it is.
    const written = readFileSync(path, "utf8").includes("WantedBy=multi-user.target") ? "system" : "user";
    return { scope: written, path };
  }
  return null;
}

function checked(scope: ServiceScope, args: string[], env: NodeJS.ProcessEnv): void {
  const result = systemctl(scope, args, env);
  if (result.code !== 0) {
    const detail = (result.stderr || result.stdout).trim() || `exit code ${result.code}`;
    throw new ServiceError(`\`${scopeFlag(scope)} ${args.join(" ")}\` failed: ${detail}`, {
      help: scope === "system" ? "Run the command with sudo, or install a user unit with `acoupi service install --user`" : "Run `systemctl --user status acoupi` for details",
    });
  }
}

export interface InstallResult extends InstalledUnit {
  changed: boolean;
  /** Set when a user unit was installed but lingering could not be enabled. */
  lingerWarning?: string;
}

/** Writes (or rewrites) the unit and reloads systemd; it neither enables nor starts it. */
export function installService(scope: ServiceScope = defaultScope(), env: NodeJS.ProcessEnv = process.env): InstallResult {
  const path = join(unitDir(scope, env), UNIT_NAME);
  const text = desiredUnit(scope, env);
  const changed = !existsSync(path) || readFileSync(path, "utf8") !== text;
  if (changed) {
    try {
      writeFileAtomic(path, text, 0o644);
    } catch (cause) {
      throw new ServiceError(`Cannot write ${path}: ${(cause as Error).message}`, {
        cause,
        help: scope === "system" ? "Run `sudo acoupi service install`, or `acoupi service install --user` for a user unit" : "Check that the directory is writable",
      });
    }
    checked(scope, ["daemon-reload"], env);
  }
  const result: InstallResult = { scope, path, changed };
  if (scope === "user") {
    const linger = enableLinger(invokingUser(env).name, env);
    if (linger.code !== 0) {
      result.lingerWarning = `loginctl enable-linger failed (${(linger.stderr || linger.stdout).trim()}): the service starts only once you log in; run \`sudo loginctl enable-linger ${invokingUser(env).name}\``;
    }
  }
  return result;
}

/** Stops, disables and removes the unit; returns the removed path, or null if none was installed. */
export function uninstallService(env: NodeJS.ProcessEnv = process.env): string | null {
  const unit = installedUnit(env);
  if (unit === null) return null;
  if (systemdAvailable(env)) checked(unit.scope, ["disable", "--now", UNIT_NAME], env);
  try {
    rmSync(unit.path);
  } catch (cause) {
    throw new ServiceError(`Cannot remove ${unit.path}: ${(cause as Error).message}`, { cause, help: "Run `sudo acoupi service uninstall`" });
  }
  if (systemdAvailable(env)) checked(unit.scope, ["daemon-reload"], env);
  return unit.path;
}

function query(scope: ServiceScope, verb: string, env: NodeJS.ProcessEnv): string {
  const result = systemctl(scope, [verb, UNIT_NAME], env);
  return result.stdout.trim().split("\n")[0] || (result.code === 0 ? "unknown" : `unknown (${result.stderr.trim() || `exit ${result.code}`})`);
}

export function serviceStatus(env: NodeJS.ProcessEnv = process.env): ServiceStatus {
  const systemd = systemdAvailable(env);
  const installed = installedUnit(env);
  if (installed === null) return { systemd, installed, active: null, enabled: null, current: null };
  const current = readFileSync(installed.path, "utf8") === desiredUnit(installed.scope, env);
  if (!systemd) return { systemd, installed, active: null, enabled: null, current };
  return { systemd, installed, active: query(installed.scope, "is-active", env), enabled: query(installed.scope, "is-enabled", env), current };
}

/**
 * For `acoupi start`: installs the unit if it can (or refreshes a stale one), then enables and
 * starts it; `systemctl start` returns once the runner sent READY=1. Returns null when systemd
 * is not available or no unit is installed and none can be written here, so the caller starts
 * the runner itself.
 */
export function startViaSystemd(env: NodeJS.ProcessEnv = process.env): InstallResult | null {
  if (!systemdAvailable(env)) return null;
  const found = installedUnit(env);
  const scope = found?.scope ?? defaultScope();
  const writable = canWrite(unitDir(scope, env));
  if (found === null && !writable) return null;
  // A stale unit we may not rewrite (not root) still runs a runner; keep it.
  const unit = writable ? installService(scope, env) : { ...(found as InstalledUnit), changed: false };
  checked(unit.scope, ["enable", "--now", UNIT_NAME], env);
  return unit;
}

/** `systemctl restart acoupi` when the service is installed here; false when systemd does not run acoupi. */
export function restartViaSystemd(env: NodeJS.ProcessEnv = process.env): InstalledUnit | null {
  if (!systemdAvailable(env)) return null;
  const unit = installedUnit(env);
  if (unit === null) return null;
  checked(unit.scope, ["restart", UNIT_NAME], env);
  return unit;
}

/** Whether this process may create files in `dir` (or in the nearest existing parent it would create). */
function canWrite(dir: string): boolean {
  let probe = dir;
  while (!existsSync(probe)) {
    const parent = dirname(probe);
    if (parent === probe) return false;
    probe = parent;
  }
  try {
    accessSync(probe, constants.W_OK);
    return true;
  } catch (_notWritable) {
    // EACCES or EROFS: that is the answer, not a failure to report.
    return false;
  }
}

/** For `acoupi stop`: stops and disables the service if it is active. Returns true if it did. */
export function stopViaSystemd(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!systemdAvailable(env)) return false;
  const unit = installedUnit(env);
  if (unit === null) return false;
  const state = systemctl(unit.scope, ["is-active", UNIT_NAME], env).stdout.trim();
  if (!["active", "activating", "reloading", "deactivating"].includes(state)) return false;
  checked(unit.scope, ["disable", "--now", UNIT_NAME], env);
  return true;
}
