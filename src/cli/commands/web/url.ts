/**
 * @module `acoupi web url`: prints the web page's URL, with the token when the page is served
 * beyond this machine (creating the token on first use), or always with `--token`: setting a
 * verdict from the page needs the token even on loopback. It prints a URL only while this sensor's
 * runner serves the page, with the port it really bound (from `run/web.json`, written by that
 * runner): a port the page does not hold may belong to another program, and a browser would hand
 * that program the token. Otherwise it says why there is no page (off, runner stopped, or the
 * runner could not serve it) and exits non-zero.
 */
import { defineCommand } from "citty";
import { AcoupiError, ConfigError } from "../../../errors.ts";
import { readLivePid } from "../../../system/pidfile.ts";
import { programSections } from "../../../programs/program-sections.ts";
import { ensureWebToken, readEndpoint, webUrl } from "../../../web/token.ts";
import { loadConfigured } from "../../../app/load-program.ts";

export default defineCommand({
  meta: { name: "url", description: "Print the web page's URL (with its token when it is served on the LAN)" },
  args: { token: { type: "boolean", description: "Include the token on loopback too: the page needs it to set verdicts" } },
  async run({ args }) {
    const { paths, config, programName } = await loadConfigured();
    const web = programSections(config, { program: programName }).web;
    if (web === undefined) {
      throw new ConfigError(`The program "${programName}" has no web section, so it serves no web page`, {
        help: "Use a program built on the basic template (default, connected, detection, birdnet)",
      });
    }
    const token = ensureWebToken(paths, web);
    if (!web.enabled) {
      throw new AcoupiError("web-down", "The web page is off", { help: "Run `acoupi config set web.enabled true`, then `acoupi restart`" });
    }
    const runner = readLivePid(paths.pidFile);
    if (runner === null) {
      throw new AcoupiError("web-down", "The web page is down: the runner is not running", { help: "Start it with `acoupi start`, then run `acoupi web url` again" });
    }
    const endpoint = readEndpoint(paths);
    if (endpoint === null || endpoint.pid !== runner) {
      throw new AcoupiError("web-down", `The web page is down: the runner (pid ${runner}) is not serving it on ${web.host}:${web.port}`, {
        help: "Run `acoupi status` to see why (another program may hold the port: choose another with `acoupi config set web.port <port>`)",
      });
    }
    process.stdout.write(`${webUrl(endpoint.host, endpoint.port, token, args.token === true)}\n`);
  },
});
