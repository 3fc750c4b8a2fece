/**
 * @module The request guard on a real Bun.serve over loopback: the Host names each kind of bind
 * accepts, `web.allowed_hosts`, and plain 400s for a malformed cookie or Host header.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hostname } from "node:os";
import { join } from "node:path";
import { logger } from "../../src/log.ts";
import { BasicConfigSchema } from "../../src/programs/templates/basic.ts";
import { acoupiPaths } from "../../src/system/paths.ts";
import { WebConfigSchema } from "../../src/programs/templates/web-config.ts";
import { allowedHostNames, hostHeaderName, readCookie } from "../../src/web/request-guard.ts";
import { startWebServer, type WebServer } from "../../src/web/server.ts";
import { MAIN, makeTempHome, type TempHome } from "../helpers/cli.ts";

describe("the names a page answers to", () => {
  test("a loopback bind answers to localhost and its address only", () => {
    expect([...allowedHostNames("127.0.0.1")].sort()).toEqual(["127.0.0.1", "localhost"]);
    expect(allowedHostNames("::1").has("::1")).toBe(true);
  });

  test("a wildcard bind answers to the interfaces' addresses and the host name", () => {
    const names = allowedHostNames("0.0.0.0");
    expect(names.has("127.0.0.1")).toBe(true);
    expect(names.has(hostname().toLowerCase())).toBe(true);
    expect(names.has(`${hostname().toLowerCase()}.local`)).toBe(true);
    expect(names.has("rebind.attacker.example")).toBe(false);
  });

  test("web.allowed_hosts adds names, compared without case", () => {
    expect(allowedHostNames("127.0.0.1", ["Sensor.Example"]).has("sensor.example")).toBe(true);
  });

  test("a Host header is read with or without its port, and a malformed one is null", () => {
    expect(hostHeaderName("localhost:8080")).toBe("localhost");
    expect(hostHeaderName("[::1]:8080")).toBe("::1");
    expect(hostHeaderName("Example.ORG.")).toBe("example.org");
    expect(hostHeaderName("a b")).toBeNull();
    expect(hostHeaderName("x@y")).toBeNull();
  });

  test("a cookie with a stray percent sign is malformed, not an exception", () => {
    expect(readCookie("acoupi_token=%", "acoupi_token")).toEqual({ ok: false });
    expect(readCookie("a=1; acoupi_token=x%2By", "acoupi_token")).toEqual({ ok: true, value: "x+y" });
    expect(readCookie(null, "acoupi_token")).toEqual({ ok: true, value: null });
  });
});

describe("the guard on a served page", () => {
  let home: TempHome;
  let server: WebServer;
  beforeAll(() => {
    home = makeTempHome("acoupi-web-guard-");
    const web = { enabled: true, host: "127.0.0.1", port: 0, allowed_hosts: ["sensor.example"] };
    server = startWebServer({
      config: WebConfigSchema.parse(web),
      paths: acoupiPaths(home.acoupiHome),
      programName: "default",
      configSchema: BasicConfigSchema,
      programConfig: BasicConfigSchema.parse({ paths: { db_metadata: join(home.home, "none.db"), recordings: home.home, tmp_audio: home.home }, web }),
      logger: logger("web-guard-test"),
      acoupiCommand: [process.execPath, MAIN],
    });
  });
  afterAll(async () => {
    await server.stop();
    home.cleanup();
  });

  test("a foreign Host gets 403 on every route, a listed one the page", async () => {
    const base = `http://127.0.0.1:${server.port}`;
    for (const path of ["/", "/metrics", "/health", "/level"]) {
      const refused = await fetch(`${base}${path}`, { headers: { host: `rebind.attacker.example:${server.port}` } });
      expect(refused.status).toBe(403);
    }
    expect((await fetch(`${base}/health`, { headers: { host: `sensor.example:${server.port}` } })).status).toBe(200);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  test("a malformed cookie is a plain 400 even where no token is needed", async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/`, { headers: { cookie: "acoupi_token=%" } });
    expect(response.status).toBe(400);
    expect(await response.text()).toBe("The request's cookie is malformed\n");
  });
});
