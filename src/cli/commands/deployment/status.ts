/**
 * @module `acoupi status`: what the runner last wrote to disk (its status file), the pidfile
 * and the deployment file. It reads files only, so it is fast and works while the runner is busy.
 */
import { defineCommand } from "citty";
import { isSetUp, readProgramName } from "../../../config/config-file.ts";
import { readDeployment } from "../../../system/deployment-file.ts";
import { acoupiPaths } from "../../../system/paths.ts";
import { readLivePid } from "../../../system/pidfile.ts";
import { readStatus, type RunnerStatus } from "../../../system/status-file.ts";

export interface StatusReport {
  setUp: boolean;
  program: string | null;
  deployment: { active: boolean; id: string; name: string; started_on: string; ended_on: string | null; latitude: number | null; longitude: number | null } | null;
  runner: { running: boolean; pid: number | null };
  health: "ok" | "degraded" | "stopped";
  degraded: string[];
  status: RunnerStatus | null;
}

export function buildStatus(): StatusReport {
  const paths = acoupiPaths();
  const setUp = isSetUp(paths);
  const deployment = readDeployment(paths);
  const pid = readLivePid(paths.pidFile);
  const status = pid !== null ? readStatus(paths.statusFile) : null;
  const degraded = status?.degraded ?? [];
  const failing = Object.entries(status?.tasks ?? {})
    .filter(([, t]) => t.lastFailure !== null && (t.lastSuccess === null || t.lastFailure > t.lastSuccess))
    .map(([name, t]) => `${name}: ${t.lastError ?? "failed"}`);
  const reasons = [...degraded, ...failing];
  return {
    setUp,
    program: setUp ? readProgramName(paths) : null,
    deployment: deployment && {
      active: deployment.ended_on === null,
      id: deployment.id,
      name: deployment.name,
      started_on: deployment.started_on.toISOString(),
      ended_on: deployment.ended_on?.toISOString() ?? null,
      latitude: deployment.latitude,
      longitude: deployment.longitude,
    },
    runner: { running: pid !== null, pid },
    health: pid === null ? "stopped" : reasons.length > 0 ? "degraded" : "ok",
    degraded: reasons,
    status,
  };
}

function line(name: string, value: unknown): string {
  return `  ${name.padStart(12)} : ${value}\n`;
}

export default defineCommand({
  meta: { name: "status", description: "Show the deployment, the runner and its health" },
  args: { json: { type: "boolean", description: "Print JSON" } },
  run({ args }) {
    const report = buildStatus();
    if (args.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return;
    }
    let out = "● Program\n";
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
    out += line("state", report.runner.running ? `running (pid ${report.runner.pid})` : "not running");
    out += line("health", report.health === "degraded" ? `degraded: ${report.degraded.join("; ")}` : report.health);
    for (const [name, t] of Object.entries(report.status?.tasks ?? {})) {
      out += line(name, `${t.runs} runs, ${t.failures} failed, ${t.skips} skipped, last ok ${t.lastSuccess ?? "never"}`);
    }
    for (const [name, figures] of Object.entries(report.status?.components ?? {})) {
      const text = Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(", ");
      if (text) out += line(name, text);
    }
    process.stdout.write(out);
  },
});
