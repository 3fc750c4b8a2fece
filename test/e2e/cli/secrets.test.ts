import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { makeTempHome, runAcoupi } from "../../helpers/cli.ts";

const PASSWORD = "s3cret-Pa55word";

describe("secrets in the connected program's configuration", () => {
  const home = makeTempHome();
  afterAll(() => home.cleanup());

  test("the MQTT password is stored 0600 and never printed by setup, config show, config get or check", () => {
    const setup = runAcoupi(
      ["setup", "--program", "connected", "--no-prompt", "--messaging.mqtt.host", "127.0.0.1", "--messaging.mqtt.port", "1",
        "--messaging.mqtt.username", "sensor", "--messaging.mqtt.password", PASSWORD],
      home.env,
    );
    expect(setup.code).toBe(0);
    const file = join(home.acoupiHome, "config/program.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8")).messaging.mqtt.password).toBe(PASSWORD);

    const show = runAcoupi(["config", "show"], home.env);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('"password": "********"');
    const get = runAcoupi(["config", "get", "messaging.mqtt.password"], home.env);
    expect(get.stdout.trim()).toBe('"********"');
    const check = runAcoupi(["check"], home.env);
    expect(check.code).toBe(1); // nothing listens on port 1, and no microphone is configured
    for (const out of [setup, show, get, check]) {
      expect(out.stdout + out.stderr).not.toContain(PASSWORD);
    }
  });

  test("an invalid value for a secret's section is refused without echoing the secret", () => {
    const result = runAcoupi(["config", "set", "messaging.mqtt.port", "not-a-port"], home.env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("messaging.mqtt.port");
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });
});

describe("credentials in URLs and headers, and TLS checking turned off", () => {
  const home = makeTempHome();
  afterAll(() => home.cleanup());

  test("a base_url's user info and query token, and a token header, are masked by config show and config get", () => {
    const url = "https://sensor:url-Pa55@ingest.example.org/in?token=q-T0ken-77&site=garden";
    const setup = runAcoupi(
      ["setup", "--program", "connected", "--no-prompt", "--messaging.http.base_url", url,
        "--messaging.http.headers", JSON.stringify({ "X-Api-Key": "hdr-K3y-99", "X-Site": "garden" })],
      home.env,
    );
    expect(setup.code).toBe(0);
    const show = runAcoupi(["config", "show"], home.env);
    const get = runAcoupi(["config", "get", "messaging.http"], home.env);
    for (const out of [setup, show, get]) {
      const text = out.stdout + out.stderr;
      for (const secret of ["url-Pa55", "q-T0ken-77", "hdr-K3y-99"]) expect(text).not.toContain(secret);
    }
    expect(show.stdout).toContain('"base_url": "https://********@ingest.example.org/in?token=********&site=********"');
    expect(show.stdout).toContain('"X-Site": "garden"');
  });

  test("tls_verify false is warned about at setup and whenever the program starts (here: check)", () => {
    const setup = runAcoupi(
      ["setup", "--program", "connected", "--no-prompt", "--messaging.http", "null", "--messaging.mqtt.host", "127.0.0.1",
        "--messaging.mqtt.port", "1", "--messaging.mqtt.transport", "tls", "--messaging.mqtt.tls_verify", "false"],
      home.env,
    );
    expect(setup.code).toBe(0);
    expect(setup.stderr).toContain("Warning: messaging.mqtt.tls_verify is false: TLS certificates are not checked");
    const check = runAcoupi(["check"], home.env);
    expect(check.stdout + check.stderr).toContain("messaging.mqtt.tls_verify is false");
  });
});
