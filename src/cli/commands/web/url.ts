/**
 * @module `acoupi web url`: prints the web page's URL, with the token when the page is served
 * beyond this machine (creating the token on first use). While the runner serves the page the
 * URL has the port it really bound; otherwise the configured one, with a note on stderr saying
 * how to turn the page on.
 */
import { defineCommand } from "citty";
import { ConfigError } from "../../../errors.ts";
import { activeDeployment } from "../../../system/deployment-file.ts";
import { readLivePid } from "../../../system/pidfile.ts";
import type { WebConfig } from "../../../web/config.ts";
import { ensureWebToken, readEndpoint, webUrl } from "../../../web/token.ts";
import { loadConfigured } from "../../load-program.ts";

export default defineCommand({
  meta: { name: "url", description: "Print the web page's URL (with its token when it is served on the LAN)" },
  async run() {
    const { paths, config, programName } = await loadConfigured();
    const web = (config as { web?: WebConfig }).web;
    if (web === undefined) {
      throw new ConfigError(`The program "${programName}" has no web section, so it serves no web page`, {
        help: "Use a program built on the basic template (default, connected, detection, birdnet)",
      });
    }
    const token = ensureWebToken(paths, web);
    const endpoint = readEndpoint(paths);
    const live = endpoint !== null && readLivePid(paths.pidFile) === endpoint.pid;
    process.stdout.write(`${webUrl(web.host, live ? endpoint.port : web.port, token)}\n`);
    // An active deployment's runner is restarted (`start` is refused while one is active).
    const active = activeDeployment(paths) !== null;
    const apply = active ? "`acoupi restart`" : "`acoupi start`";
    if (!web.enabled) process.stderr.write(`The web page is off: run \`acoupi config set web.enabled true\`, then ${apply}\n`);
    else if (!live) process.stderr.write(`The runner is not serving the page now: run ${apply}\n`);
  },
});
