/** @module `acoupi service status`: whether the unit is installed, current, enabled and active. */
import { defineCommand } from "citty";
import { serviceStatus } from "../../../system/systemd/service.ts";

function line(name: string, value: unknown): string {
  return `  ${name.padStart(10)} : ${value}\n`;
}

export default defineCommand({
  meta: { name: "status", description: "Show whether the systemd service is installed, enabled and running" },
  args: { json: { type: "boolean", description: "Print JSON" } },
  run({ args }) {
    const status = serviceStatus();
    if (args.json) {
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      return;
    }
    let out = "● Service\n";
    out += line("systemd", status.systemd ? "running" : "not running on this machine");
    out += line("unit", status.installed ? `${status.installed.path} (${status.installed.scope})` : "not installed (run `acoupi service install`)");
    if (status.installed) {
      out += line("current", status.current ? "yes" : "no: it runs another binary or home (run `acoupi service install` again)");
      if (status.active !== null) out += line("active", status.active) + line("enabled", status.enabled);
    }
    process.stdout.write(out);
  },
});
