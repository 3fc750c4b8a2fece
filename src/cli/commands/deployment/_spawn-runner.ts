/**
 * @module Starts `acoupi run` as a detached background process (what `start` and `restart` do
 * without systemd) and waits until that very process has written the pidfile. The runner writes
 * its own rotated log file; its stdout and stderr go to `log/runner-output.log`, which keeps only
 * what bypasses the logger (a crash, libasound's own messages).
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { DeploymentError } from "../../../errors.ts";
import { LOG_FILE, OUTPUT_FILE } from "../../../system/log-file.ts";
import { readLivePid } from "../../../system/pidfile.ts";
import { selfCommand } from "../../../system/self-command.ts";
import type { Configured } from "../../../app/load-program.ts";

/**
 * Resolves with the runner's pid once it has written the pidfile; throws if it exits first or takes
 * over 15 s. `command` is this acoupi by default; `self-update` names the binary it just installed.
 */
export async function spawnBackground(configured: Configured, command: string[] = selfCommand()): Promise<number> {
  const { paths } = configured;
  mkdirSync(paths.logDir, { recursive: true });
  const logPath = join(paths.logDir, LOG_FILE);
  // The runner writes its log file itself (rotated); its stdout and stderr keep only what bypasses the logger.
  const fd = openSync(join(paths.logDir, OUTPUT_FILE), "a");
  const child = Bun.spawn([...command, "run"], { stdio: ["ignore", fd, fd], env: { ...process.env, ACOUPI_LOG_STDERR: "0" }, detached: true });
  closeSync(fd);
  child.unref();
  for (let waited = 0; waited < 15_000; waited += 25) {
    // Only our child counts: a pidfile naming another process is someone else's runner.
    const pid = readLivePid(paths.pidFile);
    if (pid !== null && pid === child.pid) return pid;
    if (child.exitCode !== null) break;
    await Bun.sleep(25);
  }
  throw new DeploymentError(`The runner did not start; see ${logPath} and ${join(paths.logDir, OUTPUT_FILE)}`, { help: "Run `acoupi run` to see the error in the terminal" });
}
