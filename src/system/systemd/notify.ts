/**
 * @module sd_notify(3) for Bun: `notify("READY=1")` sends one datagram to `$NOTIFY_SOCKET` (a
 * path, or an abstract socket spelled "@name"), through libc by bun:ffi. If the FFI call fails
 * it falls back to the `systemd-notify` command, which systemd accepts only with
 * `NotifyAccess=all` because the sender is then another process. Without NOTIFY_SOCKET it does
 * nothing and opens no library (libc is dlopened on the first send), so the same runner works under systemd, `acoupi start` and a shell.
 * It never throws: a lost notification must not take the runner down, so it logs once instead.
 */
import { logger } from "../../log.ts";
import { sendUnixDatagram } from "./_libc-socket.ts";

const log = logger("systemd");
let warned = false;

/** The notification socket systemd gave this process, or null when not run as a notify service. */
export function notifySocket(env: NodeJS.ProcessEnv = process.env): string | null {
  const socket = env.NOTIFY_SOCKET;
  return socket !== undefined && socket !== "" ? socket : null;
}

/**
 * The watchdog period in milliseconds when systemd expects keep-alives from this process
 * (`WATCHDOG_USEC`, and `WATCHDOG_PID` unset or ours), else null.
 */
export function watchdogMs(env: NodeJS.ProcessEnv = process.env): number | null {
  const usec = Number(env.WATCHDOG_USEC ?? "");
  if (!Number.isFinite(usec) || usec <= 0) return null;
  const pid = env.WATCHDOG_PID;
  if (pid !== undefined && pid !== "" && Number(pid) !== process.pid) return null;
  return usec / 1000;
}

/** Sends `state` through the `systemd-notify` command; exported so tests can exercise the fallback. */
export function viaSystemdNotify(socket: string, state: string): void {
  const lines = state.split("\n").filter((l) => l !== "");
  const proc = Bun.spawnSync(["systemd-notify", ...lines], {
    env: { ...process.env, NOTIFY_SOCKET: socket },
    stdout: "ignore",
    stderr: "pipe",
  });
  if (proc.exitCode !== 0) {
    throw new Error(`systemd-notify exited with ${proc.exitCode}: ${proc.stderr.toString().trim()}`);
  }
}

/**
 * Sends a notification such as "READY=1", "WATCHDOG=1", "STOPPING=1" or "STATUS=text"
 * (several joined by "\n"). Synchronous, so a notification sent just before exit is not lost.
 * Returns true when sent, false when there is no NOTIFY_SOCKET or both ways of sending failed
 * (logged once).
 */
export function notify(state: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const socket = notifySocket(env);
  if (socket === null) return false;
  try {
    sendUnixDatagram(socket, new TextEncoder().encode(state));
    return true;
  } catch (ffiError) {
    try {
      viaSystemdNotify(socket, state);
      return true;
    } catch (commandError) {
      if (!warned) {
        warned = true;
        log.warn(`Cannot notify systemd at ${socket}: ${(ffiError as Error).message}; ${(commandError as Error).message}`);
      }
      return false;
    }
  }
}
