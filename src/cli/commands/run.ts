/**
 * @module `acoupi run`: runs the active deployment in this process until SIGTERM or SIGINT. It is
 * what the systemd unit and `acoupi start` launch; SIGTERM keeps the deployment active. It goes
 * through the runner's one entry (src/app/runner-entry.ts), as `start --foreground` does: the
 * runtime settings first (a re-exec), then the runner, which gives back its start-up pages.
 */
import { defineCommand } from "citty";
import { loadConfigured } from "../../app/load-program.ts";
import { runRunner, tuneRunnerProcess } from "../../app/runner-entry.ts";

export default defineCommand({
  meta: { name: "run", description: "Run the active deployment in the foreground (used by the service)" },
  async run() {
    tuneRunnerProcess();
    process.exitCode = await runRunner(await loadConfigured());
  },
});
