/**
 * @module How acoupi reaches systemd: whether systemd runs this machine (`/run/systemd/system`,
 * or ACOUPI_SYSTEMD=0/1 to decide), where unit files go (ACOUPI_SYSTEMD_DIR overrides), which
 * `systemctl` and `loginctl` to run (ACOUPI_SYSTEMCTL, ACOUPI_LOGINCTL: tests point them at a
 * recording script), and who "the invoking user" is under sudo.
 */
import { existsSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { join } from "node:path";
import type { ServiceScope } from "./unit-file.ts";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** True when systemd is the init system here (or ACOUPI_SYSTEMD=1 says to act as if it were). */
export function systemdAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.ACOUPI_SYSTEMD === "0") return false;
  if (env.ACOUPI_SYSTEMD === "1") return true;
  return existsSync("/run/systemd/system");
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** System-wide when run as root (sudo included), a user unit otherwise. */
export function defaultScope(): ServiceScope {
  return isRoot() ? "system" : "user";
}

export function unitDir(scope: ServiceScope, env: NodeJS.ProcessEnv = process.env): string {
  const override = env.ACOUPI_SYSTEMD_DIR;
  if (override !== undefined && override !== "") return override;
  if (scope === "system") return "/etc/systemd/system";
  const config = env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== "" ? env.XDG_CONFIG_HOME : join(homedir(), ".config");
  return join(config, "systemd", "user");
}

function homeOf(user: string): string | null {
  const proc = Bun.spawnSync(["getent", "passwd", user], { stdout: "pipe", stderr: "ignore" });
  const fields = proc.exitCode === 0 ? proc.stdout.toString().trim().split(":") : [];
  return fields[5] !== undefined && fields[5] !== "" ? fields[5] : null;
}

/** The person behind this command: SUDO_USER under sudo, else the current account. */
export function invokingUser(env: NodeJS.ProcessEnv = process.env): { name: string; home: string } {
  const sudoUser = env.SUDO_USER;
  if (isRoot() && sudoUser !== undefined && sudoUser !== "" && sudoUser !== "root") {
    return { name: sudoUser, home: homeOf(sudoUser) ?? `/home/${sudoUser}` };
  }
  const info = userInfo();
  return { name: info.username, home: homedir() };
}

function run(argv: string[], env: Record<string, string | undefined>): CommandResult {
  try {
    const proc = Bun.spawnSync(argv, { env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    return { code: proc.exitCode ?? -1, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
  } catch (error) {
    return { code: -1, stdout: "", stderr: `${argv[0]} could not run: ${(error as Error).message}` };
  }
}

/** Runs `systemctl [--user] args…`; a user-scope call gets XDG_RUNTIME_DIR when the shell lacks it. */
export function systemctl(scope: ServiceScope, args: string[], env: NodeJS.ProcessEnv = process.env): CommandResult {
  const binary = env.ACOUPI_SYSTEMCTL && env.ACOUPI_SYSTEMCTL !== "" ? env.ACOUPI_SYSTEMCTL : "systemctl";
  const childEnv: Record<string, string | undefined> = { ...env };
  if (scope === "user" && !childEnv.XDG_RUNTIME_DIR && typeof process.getuid === "function") {
    childEnv.XDG_RUNTIME_DIR = `/run/user/${process.getuid()}`;
  }
  return run([binary, ...(scope === "user" ? ["--user"] : []), ...args], childEnv);
}

/** Lets the user's manager (and so a user unit) run from boot with nobody logged in. */
export function enableLinger(user: string, env: NodeJS.ProcessEnv = process.env): CommandResult {
  if (existsSync(join("/var/lib/systemd/linger", user))) return { code: 0, stdout: "", stderr: "" };
  const binary = env.ACOUPI_LOGINCTL && env.ACOUPI_LOGINCTL !== "" ? env.ACOUPI_LOGINCTL : "loginctl";
  return run([binary, "enable-linger", user], { ...env });
}
