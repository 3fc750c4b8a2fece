/**
 * @module The runner's pidfile: how `acoupi stop` and `status` find the running process. A
 * pidfile whose process is gone is stale and ignored.
 */
import { existsSync, readFileSync, unlinkSync } from "node:fs";
import { writeFileAtomic } from "./atomic-write.ts";

/** True while the process runs; a zombie (exited, not yet reaped by init) counts as gone. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch (error) {
    // The process vanished between the two calls, or /proc is not mounted.
    return (error as NodeJS.ErrnoException).code !== "ENOENT" || existsSync("/proc/self/stat") === false;
  }
  // Field 3 of /proc/<pid>/stat is the state; the command name before it may hold spaces.
  return text.slice(text.lastIndexOf(")") + 2, text.lastIndexOf(")") + 3) !== "Z";
}

/** The pid of a live runner, or null. */
export function readLivePid(path: string): number | null {
  if (!existsSync(path)) return null;
  const pid = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return isProcessAlive(pid) ? pid : null;
}

export function writePidfile(path: string, pid: number = process.pid): void {
  writeFileAtomic(path, `${pid}\n`);
}

export function removePidfile(path: string, pid: number = process.pid): void {
  if (!existsSync(path)) return;
  const owner = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
  if (owner === pid) unlinkSync(path);
}
