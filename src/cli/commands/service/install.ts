/**
 * @module `acoupi service install`: writes acoupi.service (running this binary's `run`) and
 * reloads systemd. `acoupi start` then enables and starts it, and `acoupi stop` disables it.
 */
import { defineCommand } from "citty";
import { installService, systemdAvailable } from "../../../system/systemd/service.ts";
import { defaultScope } from "../../../system/systemd/_systemctl.ts";
import { SCOPE_ARGS, scopeFrom } from "./_scope.ts";

export default defineCommand({
  meta: { name: "install", description: "Write the systemd unit that runs acoupi at boot and restarts it on failure" },
  args: { ...SCOPE_ARGS },
  run({ args }) {
    const scope = scopeFrom(args) ?? defaultScope();
    const result = installService(scope);
    const verb = result.changed ? "Installed" : "Already up to date:";
    process.stdout.write(`${verb} ${result.path} (${result.scope} unit)\n`);
    if (!systemdAvailable()) process.stdout.write("systemd is not running on this machine: the unit takes effect once it is\n");
    if (result.lingerWarning) process.stderr.write(`Warning: ${result.lingerWarning}\n`);
    process.stdout.write("`acoupi start` enables and starts it; `acoupi stop` stops and disables it\n");
  },
});
