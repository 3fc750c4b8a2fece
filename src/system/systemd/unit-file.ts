/**
 * @module The acoupi.service unit, rendered as text, and the quoting systemd needs. The unit
 * runs `<this binary> run` directly (no `/bin/sh -c`), as a notify service with a watchdog. Any
 * value that reaches the file is quoted by systemd's own rules: arguments are double-quoted with
 * `\\` and `\"` escapes, `%` becomes `%%` (specifiers) and, in arguments after the executable,
 * `$` becomes `$$` (systemd expands variables there but not in the executable path). Newlines and
 * other control characters cannot be written safely, so they are refused, and so are quotes and
 * backslashes in the executable path, which systemd rejects ("contains special characters").
 */
import { ConfigError } from "../../errors.ts";

export type ServiceScope = "system" | "user";

export interface UnitOptions {
  /** argv of the runner: the absolute binary path (or bun + main.ts) followed by "run". */
  command: string[];
  /** The ACOUPI_HOME the service runs with (absolute). */
  acoupiHome: string;
  /** "system" adds User= and WantedBy=multi-user.target; "user" wants default.target. */
  scope: ServiceScope;
  /** The account the runner runs as (system scope only). */
  user?: string;
  /** The acoupi version, written in the header comment. */
  version: string;
}

export const UNIT_NAME = "acoupi.service";
export const WATCHDOG_SEC = 60;

const SAFE_WORD = /^[A-Za-z0-9/._+,:@=-]+$/;
const USER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/;

function refuseControlCharacters(value: string, what: string): void {
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new ConfigError(`Cannot write ${what} into a systemd unit: it contains a newline or control character (${JSON.stringify(value)})`, {
      help: "Move acoupi or its home to a path without control characters",
    });
  }
}

function quote(value: string): string {
  return `"${value.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** One ExecStart= word. `executable` marks the first one, where `$` is taken literally. */
export function escapeExecWord(word: string, executable = false): string {
  refuseControlCharacters(word, executable ? `the executable path ${JSON.stringify(word)}` : "an argument");
  if (executable && /["'\\]/.test(word)) {
    throw new ConfigError(`systemd cannot run an executable whose path contains a quote or a backslash: ${JSON.stringify(word)}`, {
      help: "Move the acoupi binary to a plain path such as /usr/local/bin/acoupi and install the service again",
    });
  }
  if (word === ";") return "\\;";
  let escaped = word.replaceAll("%", "%%");
  if (!executable) escaped = escaped.replaceAll("$", "$$$$");
  return SAFE_WORD.test(escaped) ? escaped : quote(escaped);
}

/** The ExecStart= value for an argv whose first element is an absolute path. */
export function execStart(command: string[]): string {
  const [executable, ...args] = command;
  if (executable === undefined || !executable.startsWith("/")) {
    throw new ConfigError(`The service command must start with an absolute path, not ${JSON.stringify(executable ?? "")}`);
  }
  return [escapeExecWord(executable, true), ...args.map((a) => escapeExecWord(a))].join(" ");
}

/** One Environment= assignment, quoted; systemd expands specifiers there but not variables. */
export function environmentAssignment(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ConfigError(`Invalid environment variable name ${JSON.stringify(name)}`);
  refuseControlCharacters(value, `${name}=${JSON.stringify(value)}`);
  return quote(`${name}=${value.replaceAll("%", "%%")}`);
}

/** The full unit file. */
export function renderUnit(options: UnitOptions): string {
  if (!options.acoupiHome.startsWith("/")) throw new ConfigError(`ACOUPI_HOME must be absolute for the service, not "${options.acoupiHome}"`);
  const lines = [
    `# Written by \`acoupi service install\` (acoupi ${options.version}). \`acoupi service uninstall\` removes it.`,
    "[Unit]",
    "Description=acoupi acoustic sensor",
    "After=network.target sound.target time-sync.target",
    "",
    "[Service]",
    "Type=notify",
    "NotifyAccess=main",
  ];
  if (options.scope === "system") {
    const user = options.user ?? "";
    if (!USER_NAME.test(user)) throw new ConfigError(`Invalid user name for the service: ${JSON.stringify(user)}`);
    lines.push(`User=${user}`);
  }
  lines.push(
    `Environment=${environmentAssignment("ACOUPI_HOME", options.acoupiHome)}`,
    `ExecStart=${execStart(options.command)}`,
    "Restart=always",
    "RestartSec=5",
    `WatchdogSec=${WATCHDOG_SEC}`,
    "TimeoutStopSec=30",
    "KillSignal=SIGTERM",
    "",
    "[Install]",
    `WantedBy=${options.scope === "system" ? "multi-user.target" : "default.target"}`,
    "",
  );
  return lines.join("\n");
}
