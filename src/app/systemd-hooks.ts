/**
 * @module What the runner tells systemd when it runs as the acoupi service: READY=1 once the
 * scheduler runs, WATCHDOG=1 on each status write while the scheduler is healthy and the program
 * makes progress (so a hung scheduler, a capture that hangs or filing that keeps failing gets the
 * process restarted), STOPPING=1 on SIGTERM, and a STATUS= line that
 * `systemctl status acoupi` shows. It also shortens the status period to half the watchdog
 * period when that is under the runner's 5 s default. Outside systemd it adds nothing.
 */
// The runner's default status period, which the watchdog may shorten.
import { DEFAULT_STATUS_INTERVAL_MS } from "../status/status-file.ts";
import type { RunnerOptions } from "./runner.ts";
import { notify, notifySocket, watchdogMs } from "../system/systemd/notify.ts";


export type SystemdRunnerHooks = Pick<RunnerOptions, "onReady" | "onHeartbeat" | "onStopping" | "statusIntervalMs">;

/** A STATUS= value on one line: systemd reads one variable per line. */
function statusLine(text: string): string {
  return `STATUS=${text.replace(/[\r\n]+/g, " ")}`;
}

/** Runner options that keep systemd informed; empty when NOTIFY_SOCKET is not set. */
export function systemdRunnerHooks(programName: string, env: NodeJS.ProcessEnv = process.env): SystemdRunnerHooks {
  if (notifySocket(env) === null) return {};
  const watchdog = watchdogMs(env);
  let ready = false;
  let stopping = false;
  let lastStatus: string | null = null;
  const send = (state: string) => {
    notify(state, env);
  };
  return {
    statusIntervalMs: watchdog === null ? undefined : Math.max(100, Math.min(DEFAULT_STATUS_INTERVAL_MS, Math.floor(watchdog / 2))),
    onReady: () => {
      ready = true;
      lastStatus = `Running program ${programName}`;
      send(`READY=1\n${statusLine(lastStatus)}`);
    },
    onHeartbeat: (healthy, reason) => {
      // The runner writes its first status just before it is ready; READY=1 must come first.
      if (!ready || stopping) return;
      const lines: string[] = [];
      // No WATCHDOG=1 while unhealthy: systemd then restarts the runner after WatchdogSec.
      if (healthy && watchdog !== null) lines.push("WATCHDOG=1");
      const text = healthy ? `Running program ${programName}` : `Degraded: ${reason ?? "the scheduler is stalled"}`;
      if (text !== lastStatus) {
        lines.push(statusLine(text));
        lastStatus = text;
      }
      if (lines.length > 0) send(lines.join("\n"));
    },
    onStopping: () => {
      stopping = true;
      send(`STOPPING=1\n${statusLine("Stopping: waiting for running tasks")}`);
    },
  };
}
