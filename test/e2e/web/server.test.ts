/**
 * @module The web server with child processes: the token on a non-loopback bind (the page's
 * spectrogram is rendered by a child `acoupi`), and `acoupi web url` and `setup` through the real
 * CLI. The in-process routes are in test/web/server.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { acoupiPaths } from "../../../src/system/paths.ts";
import { readEndpoint, tokenFile } from "../../../src/web/token.ts";
import { runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { RECORDING_IDS } from "../../helpers/fixture-db.ts";
import { startFixtureWebServer as start, useFixtureHome } from "../../helpers/web-server.ts";

describe("the web server", () => {
  let home: TempHome;
  useFixtureHome((made) => {
    home = made;
  });

  test("on a non-loopback bind a request without the token is refused, and the token opens it", async () => {
    const server = start(home, "0.0.0.0");
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const refused = await fetch(`${base}/`);
      expect(refused.status).toBe(401);
      expect(await refused.text()).toContain("A token is required");
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      expect((await fetch(`${base}/recordings/${RECORDING_IDS[0]}/audio.wav`)).status).toBe(401);
      expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);

      const token = readFileSync(tokenFile(acoupiPaths(home.acoupiHome)), "utf8").trim();
      expect(statSync(tokenFile(acoupiPaths(home.acoupiHome))).mode & 0o777).toBe(0o600);
      expect(server.url).toEndWith(`:${server.port}/?token=${token}`);
      const opened = await fetch(`${base}/?token=${token}`);
      expect(opened.status).toBe(200);
      expect(await opened.text()).toContain(`data-recording="${RECORDING_IDS[4]}"`);
      const cookie = opened.headers.get("set-cookie") ?? "";
      expect(cookie).toContain("HttpOnly");
      // The cookie is what lets the page's images and audio load without the token in their URLs.
      const image = await fetch(`${base}/recordings/${RECORDING_IDS[0]}/spectrogram.png`, { headers: { cookie: cookie.split(";")[0] as string } });
      expect(image.status).toBe(200);
      expect(image.headers.get("content-type")).toBe("image/png");
      expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(readEndpoint(acoupiPaths(home.acoupiHome))).toEqual({ host: "0.0.0.0", port: server.port, pid: process.pid });
    } finally {
      await server.stop();
    }
    expect(readEndpoint(acoupiPaths(home.acoupiHome))).toBeNull();
  });

  test("acoupi web url prints no URL and no token while no runner serves the page, and says why", () => {
    const env = { ...home.env, ACOUPI_HOME: join(home.home, "cli-home") };
    expect(runAcoupi(["setup", "--program", "default", "--no-prompt", "--web.host", "0.0.0.0", "--web.port", "8123"], env).code).toBe(0);
    const off = runAcoupi(["web", "url"], env);
    expect(off.code).toBe(1);
    expect(off.stdout).toBe("");
    expect(off.stderr).toContain("The web page is off");
    expect(off.stderr).toContain("acoupi config set web.enabled true");
    const token = readFileSync(join(home.home, "cli-home/config/web-token"), "utf8").trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(runAcoupi(["config", "set", "web.enabled", "true"], env).code).toBe(0);
    const stopped = runAcoupi(["web", "url"], env);
    expect(stopped.code).toBe(1);
    expect(stopped.stdout).toBe("");
    expect(stopped.stderr).toContain("The web page is down: the runner is not running");
    expect(stopped.stderr).not.toContain(token);
    expect(readFileSync(join(home.home, "cli-home/config/web-token"), "utf8").trim()).toBe(token); // the token is made once
  });

  test("setup with the web page enabled creates its token right away", () => {
    const acoupiHome = join(home.home, "setup-home");
    const result = runAcoupi(["setup", "--program", "default", "--no-prompt", "--web.enabled", "true", "--web.host", "0.0.0.0"], { ...home.env, ACOUPI_HOME: acoupiHome });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("The web page is on: `acoupi web url` prints its address");
    expect(statSync(join(acoupiHome, "config/web-token")).mode & 0o777).toBe(0o600);
    expect(result.stdout).not.toContain(readFileSync(join(acoupiHome, "config/web-token"), "utf8").trim());
  });
});
