/**
 * @module The runner's pidfile: how `acoupi stop` and `status` find the running process. It holds
 * the PID together with what proves whose process it is: the process's start time (field 22 of
 * /proc/PID/stat, in clock ticks since boot), the boot id (/proc/sys/kernel/random/boot_id) and the
 * ACOUPI_HOME the runner serves. After a power cut the same PID may belong to any other process;
 * its start time or the boot id then differ, so the pidfile is stale and nobody signals that
 * process. A pidfile that proves nothing (an old plain-number one, or garbage) is stale too.
 */
import { existsSync, readFileSync, unlinkSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { writeFileAtomic } from "./atomic-write.ts";
import { bootId } from "./boot-clock.ts";

export interface ProcessIdentity {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/PID/stat field 22). */
  starttime: string;
  boot_id: string;
  /** The ACOUPI_HOME the runner serves. */
  home: string;
}

interface ProcStat {
  state: string;
  starttime: string;
}

/** State and start time of `pid` from /proc, or null when there is no such process. */
function procStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || (error as NodeJS.ErrnoException).code === "ESRCH") return null;
    throw error;
  }
  // The command name (field 2) is in parentheses and may hold spaces or ")": split after the last one.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
  const state = fields[0];
  const starttime = fields[19];
  if (state === undefined || starttime === undefined) return null;
  return { state, starttime };
}

/** True while the process runs; a zombie (exited, not yet reaped) counts as gone. */
export function isProcessAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== "Z" && stat.state !== "X";
}

/** The identity of a running process (this one by default), or null when it is gone. */
export function processIdentity(pid: number = process.pid, home: string): ProcessIdentity | null {
  const stat = procStat(pid);
  if (stat === null || stat.state === "Z" || stat.state === "X") return null;
  return { pid, starttime: stat.starttime, boot_id: bootId(), home: resolve(home) };
}

/** True when `identity` still names the same live process as when it was taken. */
export function isSameProcess(identity: ProcessIdentity): boolean {
  const now = processIdentity(identity.pid, identity.home);
  return now !== null && now.starttime === identity.starttime && now.boot_id === identity.boot_id;
}

/** The home a pidfile belongs to: `<home>/run/acoupi.pid`. */
function homeOfPidfile(path: string): string {
  return resolve(dirname(dirname(path)));
}

/** What the pidfile says, or null when it is missing or says nothing usable. */
export function readPidfile(path: string): ProcessIdentity | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // A pidfile of an older acoupi (a bare number) or a torn one proves nothing: stale.
    if (error instanceof SyntaxError) return null;
    throw error;
  }
  const p = parsed as Partial<ProcessIdentity> | null;
  if (p === null || typeof p !== "object" || !Number.isInteger(p.pid) || (p.pid as number) <= 0) return null;
  if (typeof p.starttime !== "string" || typeof p.boot_id !== "string" || typeof p.home !== "string") return null;
  return { pid: p.pid as number, starttime: p.starttime, boot_id: p.boot_id, home: p.home };
}

/** The identity of the live runner the pidfile names, or null when it is missing or stale. */
export function readLiveRunner(path: string): ProcessIdentity | null {
  const identity = readPidfile(path);
  if (identity === null) return null;
  if (resolve(identity.home) !== homeOfPidfile(path)) return null;
  return isSameProcess(identity) ? identity : null;
}

/** The pid of a live runner, or null. */
export function readLivePid(path: string): number | null {
  return readLiveRunner(path)?.pid ?? null;
}

export function writePidfile(path: string, pid: number = process.pid): void {
  const identity = processIdentity(pid, homeOfPidfile(path));
  if (identity === null) throw new Error(`Process ${pid} has no entry in /proc`);
  writeFileAtomic(path, `${JSON.stringify(identity)}\n`, 0o644);
}

export function removePidfile(path: string, pid: number = process.pid): void {
  if (!existsSync(path)) return;
  if (readPidfile(path)?.pid === pid) unlinkSync(path);
}
