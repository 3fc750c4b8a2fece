/**
 * @module `acoupi status`: what the runner last wrote to disk (its status file), the pidfile
 * and the deployment file. It reads files only, so it is fast and works while the runner is busy.
 */
import { defineCommand } from "citty";
import { buildStatus, healthText } from "../../../system/status-report.ts";

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
    out += line("health", healthText(report));
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
