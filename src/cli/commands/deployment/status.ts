/**
 * @module `acoupi status`: what the runner last wrote to disk (its status file), the pidfile
 * and the deployment file, judged by src/status/health.ts. It reads files only, so it is fast and
 * works while the runner is busy. Its exit code tells the verdict (0 running and healthy; see
 * STATUS_EXIT and docs/install.md). The text form shows control characters as escapes.
 */
import { defineCommand } from "citty";
import { STATUS_EXIT } from "../../../status/health.ts";
import { acoupiPaths } from "../../../system/paths.ts";
import { buildStatus, healthText, type StatusReport } from "../../../status/status-report.ts";
import { terminalSafe } from "../../terminal-text.ts";
import { statusSummary } from "./_status-summary.ts";

export type { StatusReport } from "../../../status/status-report.ts";

/** An aligned `name : value` line; the width fits the longest name shown. */
function liner(width: number): (name: string, value: unknown) => string {
  return (name, value) => `  ${name.padStart(width)} : ${value}\n`;
}

function runnerState(report: StatusReport): string {
  if (report.runner.running) return `${report.health === "not responding" ? "not responding" : "running"} (pid ${report.runner.pid})`;
  return report.health === "crashed" ? `crashed (last pid ${report.status?.pid ?? "unknown"})` : "not running";
}

/** The internal counters, shown with --verbose: task runs and failures, component figures. */
function countersOf(report: StatusReport): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, t] of Object.entries(report.status?.tasks ?? {})) {
    out.push([name, `${t.runs} runs, ${t.failures} failed, ${t.skips} skipped, last ok ${t.lastSuccess ?? "never"}`]);
  }
  for (const [name, figures] of Object.entries(report.status?.components ?? {})) {
    const text = Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(", ");
    if (text) out.push([name, text]);
  }
  return out;
}

export default defineCommand({
  meta: { name: "status", description: "Show the deployment, the runner and its health" },
  args: {
    json: { type: "boolean", description: "Print JSON" },
    verbose: { type: "boolean", description: "Also show the task and component counters" },
  },
  run({ args }) {
    const report = buildStatus();
    process.exitCode = STATUS_EXIT[report.health];
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ...report, exitCode: STATUS_EXIT[report.health] }, null, 2)}\n`);
      return;
    }
    const counters = args.verbose ? countersOf(report) : [];
    const line = liner(Math.max(14, ...counters.map(([name]) => name.length)));
    let out = `${statusSummary(report, acoupiPaths()).join("\n")}\n\n`;
    out += "● Program\n";
    out += line("program", report.program ?? "not set up (run `acoupi setup --program <name>`)");
    out += "● Deployment\n";
    const d = report.deployment;
    out += line("state", d ? (d.active ? "active" : "ended") : "none");
    if (d) {
      out += line("name", d.name) + line("started on", d.started_on);
      if (d.ended_on) out += line("ended on", d.ended_on);
      if (d.latitude !== null) out += line("latitude", d.latitude) + line("longitude", d.longitude);
    }
    out += "● Runner\n";
    out += line("state", runnerState(report));
    out += line("health", healthText(report));
    if (report.status) {
      out += line("last status", `${report.status.updatedAt}${report.runner.statusAgeSeconds !== null ? ` (${report.runner.statusAgeSeconds} s ago)` : ""}`);
    }
    out += line("last recording", report.recording.last ?? "none yet");
    out += line("next recording", report.recording.next ?? (report.recording.pausedBy ? `paused: ${report.recording.pausedBy}` : "none expected"));
    if (args.verbose) {
      out += "● Counters\n";
      for (const [name, text] of counters) out += line(name, text);
    } else if (report.status) out += "\n(`acoupi status --verbose` adds the task and component counters)\n";
    // Names, reasons and figures may hold an endpoint's text: no escape sequence reaches the terminal.
    process.stdout.write(terminalSafe(out));
  },
});
