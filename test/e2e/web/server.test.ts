/**
 * @module The web server in-process on a real Bun.serve over loopback: the token on a non-loopback bind,
 * read-only routes, masked secrets, audio byte ranges, /metrics, and `acoupi web url`.
 */
import { judgeStatus, STATUS_EXIT } from "../../../src/status/health.ts";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { BasicConfigSchema } from "../../../src/programs/templates/basic.ts";
import { acoupiPaths } from "../../../src/system/paths.ts";
import { logger } from "../../../src/log.ts";
import { startWebServer, type WebServer } from "../../../src/web/server.ts";
import { WebConfigSchema } from "../../../src/programs/templates/web-config.ts";
import { readEndpoint, tokenFile } from "../../../src/web/token.ts";
import { MAIN, makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { RECORDING_IDS, writeFixtureDb } from "../../helpers/fixture-db.ts";

function start(home: TempHome, host: string, extra: Record<string, unknown> = {}): WebServer {
  const fixture = join(home.home, "metadata.db");
  const programConfig = BasicConfigSchema.parse({ paths: { db_metadata: fixture, recordings: home.home, tmp_audio: home.home }, web: { enabled: true, host, port: 0, ...extra } });
  return startWebServer({
    config: WebConfigSchema.parse({ enabled: true, host, port: 0, ...extra }),
    paths: acoupiPaths(home.acoupiHome),
    programName: "default",
    configSchema: BasicConfigSchema,
    programConfig,
    logger: logger("web-test"),
    acoupiCommand: [process.execPath, MAIN],
  });
}

describe("the web server", () => {
  let home: TempHome;
  const previousHome = process.env.ACOUPI_HOME;
  beforeAll(() => {
    home = makeTempHome("acoupi-web-");
    process.env.ACOUPI_HOME = home.acoupiHome; // buildStatus reads the status of this home
    writeFixtureDb(home.home);
  });
  afterAll(() => {
    if (previousHome === undefined) delete process.env.ACOUPI_HOME;
    else process.env.ACOUPI_HOME = previousHome;
    home.cleanup();
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

  test("on the loopback bind no token is needed, and nothing can be changed", async () => {
    const server = start(home, "127.0.0.1");
    try {
      const base = `http://127.0.0.1:${server.port}`;
      expect(server.url).toBe(`${base}/`);
      expect((await fetch(`${base}/`)).status).toBe(200);
      const post = await fetch(`${base}/`, { method: "POST", body: "x" });
      expect(post.status).toBe(405);
      expect(post.headers.get("allow")).toBe("GET, HEAD");
      expect((await fetch(`${base}/recordings/${RECORDING_IDS[0]}/audio.wav`, { method: "DELETE" })).status).toBe(405);
      expect((await fetch(`${base}/etc/passwd`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  test("the page masks secrets and the audio route serves byte ranges", async () => {
    const server = start(home, "127.0.0.1", { token: "s3cret-token-value" });
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const html = await (await fetch(`${base}/`)).text();
      expect(html).not.toContain("s3cret-token-value");
      expect(html).toContain("&quot;token&quot;: &quot;********&quot;");
      const whole = await fetch(`${base}/recordings/${RECORDING_IDS[0]}/audio.wav`);
      expect(whole.status).toBe(200);
      expect(whole.headers.get("content-type")).toBe("audio/wav");
      expect((await whole.arrayBuffer()).byteLength).toBe(1000);
      const part = await fetch(`${base}/recordings/${RECORDING_IDS[0]}/audio.wav`, { headers: { range: "bytes=100-199" } });
      expect(part.status).toBe(206);
      expect(part.headers.get("content-range")).toBe("bytes 100-199/1000");
      expect((await part.arrayBuffer()).byteLength).toBe(100);
      expect((await fetch(`${base}/recordings/${RECORDING_IDS[0]}/audio.wav`, { headers: { range: "bytes=5000-" } })).status).toBe(416);
      // Files are found by recording id only; an id the database does not know is not found.
      expect((await fetch(`${base}/recordings/00000000-0000-4000-8000-0000000000ff/audio.wav`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  test("/metrics is Prometheus text with each family grouped under its HELP and TYPE", async () => {
    const server = start(home, "127.0.0.1");
    try {
      const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      const body = await response.text();
      expect(body).toContain('acoupi_recordings{state="temp"} 4\n');
      expect(body).toContain('acoupi_recordings{state="discarded"} 1\n');
      // Exactly the state `acoupi status` judges is 1, among all of them.
      const health = judgeStatus(acoupiPaths(home.acoupiHome)).health;
      expect(body).toContain(`acoupi_health{state="${health}"} 1\n`);
      expect(body.match(/^acoupi_health\{state="[^"]+"\} 1$/gm)).toHaveLength(1);
      expect(body.match(/^acoupi_health\{/gm)).toHaveLength(Object.keys(STATUS_EXIT).length);
      expect(body).toMatch(/\nacoupi_disk_free_bytes\{path="[^"]+"\} \d+\n/);
      const seen: string[] = [];
      for (const line of body.trimEnd().split("\n")) {
        const family = line.startsWith("#") ? (line.split(" ")[2] as string) : (/^([a-z_]+?)(_sum|_count)?[{ ]/.exec(line)?.[1] as string);
        expect(family).toMatch(/^acoupi_[a-z_]+$/);
        if (seen[seen.length - 1] !== family) {
          expect(seen).not.toContain(family);
          seen.push(family);
        }
      }
    } finally {
      await server.stop();
    }
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
