/**
 * @module The page against a hostile browser, in Chromium on a running compiled binary. A DNS
 * rebinding page is played with Chromium's `--host-resolver-rules`, which maps a foreign name to
 * 127.0.0.1: the loopback-bound page refuses it (and answers to a name listed in
 * `web.allowed_hosts`). A LAN-bound page given the malformed cookie `acoupi_token=%` answers a
 * plain 400 with nothing of the process in it (Bun's development page showed stack frames, source
 * and the working directory).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { buildBinary } from "../../helpers/binaries.ts";
import { REPO } from "../../helpers/cli.ts";
import { countRows, deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";

const CHROMIUM = "/usr/bin/chromium";
const RATE = 16_000;
const FOREIGN = "rebind.attacker.example";
const LISTED = "garden-sensor.example";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  `--host-resolver-rules=MAP ${FOREIGN} 127.0.0.1, MAP ${LISTED} 127.0.0.1`,
];

const withChromium = existsSync(CHROMIUM) ? describe : describe.skip;

/** A compiled-binary deployment serving the page on `host` (any free port); returns the port the runner bound. */
async function deployPage(host: string, prefix: string, extra: string[] = []): Promise<{ d: Deployment; port: number }> {
  const d = deploy({ mic: new Int16Array(RATE * 30), binary: buildBinary("x64"), prefix });
  const setup = d.run([
    "setup", "--program", "default", "--no-prompt",
    "--microphone.device_name", d.mic.device, "--microphone.samplerate", String(RATE), "--microphone.audio_channels", "1",
    "--recording.duration", "1", "--recording.interval", "1",
    "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
    "--web.enabled", "true", "--web.host", host, "--web.port", "0", ...extra,
  ]);
  expect(setup.code, said(setup)).toBe(0);
  const start = d.run(["start", "--name", "hostile", "--no-check"]);
  expect(start.code, said(start)).toBe(0);
  await waitFor("a recording", () => countRows(join(d.home.acoupiHome, "storages/metadata.db"), "SELECT id FROM recordings") >= 1);
  const printed = await waitFor("the page's URL", () => {
    const r = d.run(["web", "url"]);
    return r.code === 0 ? r : null;
  });
  return { d, port: Number(new URL(printed.stdout.trim()).port) };
}

async function launch(): Promise<{ browser: BrowserContext; profile: string }> {
  const profile = mkdtempSync(join(tmpdir(), "acoupi-chromium-"));
  const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
  return { browser, profile };
}

withChromium("a loopback-bound page reached through a foreign host name", () => {
  let d: Deployment;
  let port: number;
  let browser: BrowserContext;
  let profile: string;
  beforeAll(async () => {
    ({ d, port } = await deployPage("127.0.0.1", "acoupi-web-rebind-", ["--web.allowed_hosts", JSON.stringify([LISTED])]));
    ({ browser, profile } = await launch());
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await d?.cleanup();
  });

  test("refuses the page, /metrics and a recording's audio to a rebinding name, and serves the names that fit", async () => {
    const page = await browser.newPage();
    const rebound = await page.goto(`http://${FOREIGN}:${port}/`);
    expect(rebound?.status()).toBe(403);
    const body = (await rebound?.text()) ?? "";
    expect(body).toContain("web.allowed_hosts");
    expect(body).not.toContain("<html");
    expect((await page.goto(`http://${FOREIGN}:${port}/metrics`))?.status()).toBe(403);
    const id = (d.db().query("SELECT id FROM recordings LIMIT 1").get() as { id: string }).id;
    expect((await page.goto(`http://${FOREIGN}:${port}/recordings/${id}/audio.wav`))?.status()).toBe(403);

    expect((await page.goto(`http://localhost:${port}/`))?.status()).toBe(200);
    expect((await page.goto(`http://127.0.0.1:${port}/`))?.status()).toBe(200);
    const listed = await page.goto(`http://${LISTED}:${port}/`);
    expect(listed?.status()).toBe(200);
    expect(await listed?.text()).toContain("<html");
  }, 60_000);
});

withChromium("a LAN-bound page given a malformed token cookie", () => {
  let d: Deployment;
  let port: number;
  let browser: BrowserContext;
  let profile: string;
  beforeAll(async () => {
    ({ d, port } = await deployPage("0.0.0.0", "acoupi-web-cookie-"));
    ({ browser, profile } = await launch());
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await d?.cleanup();
  });

  test("answers acoupi_token=% with a plain 400 that shows nothing of the process", async () => {
    await browser.addCookies([{ name: "acoupi_token", value: "%", domain: "127.0.0.1", path: "/" }]);
    const page = await browser.newPage();
    const response = await page.goto(`http://127.0.0.1:${port}/`);
    expect(response?.status()).toBe(400);
    expect(response?.headers()["content-type"]).toStartWith("text/plain");
    const body = (await response?.text()) ?? "";
    expect(body).toBe("The request's cookie is malformed\n");
    for (const internal of [REPO, d.home.home, "at ", ".ts", "token ==", "Bun"]) expect(body).not.toContain(internal);
    // The runner goes on serving: the same browser with a good cookie gets the page.
    await browser.clearCookies();
    const token = readFileSync(join(d.home.acoupiHome, "config/web-token"), "utf8").trim();
    expect((await page.goto(`http://127.0.0.1:${port}/?token=${token}`))?.status()).toBe(200);
  }, 60_000);
});
