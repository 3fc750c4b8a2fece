/**
 * @module The page's verdict write on a real Bun.serve (in-process, loopback, the fixture
 * database) and in a real Chromium. Plain requests: the token is needed even on loopback, a
 * foreign Origin or a cross-site Sec-Fetch-Site is refused even with the token, a form's content
 * type is refused, an unknown detection changes nothing. In Chromium: the page opened with its
 * token sets a verdict with its buttons; the same page without the token says how to get it; and
 * a hostile page served from another loopback port (another origin, the same site) tries a form
 * POST and a no-cors fetch, and a CORS fetch with a guessed token, each refused (403, or no
 * preflight granted) with the database unchanged.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { BasicConfigSchema } from "../../../src/programs/templates/basic.ts";
import { acoupiPaths } from "../../../src/system/paths.ts";
import { logger } from "../../../src/log.ts";
import { startWebServer, type WebServer } from "../../../src/web/server.ts";
import { WebConfigSchema } from "../../../src/programs/templates/web-config.ts";
import { webUrl } from "../../../src/web/token.ts";
import { MAIN, makeTempHome, type TempHome } from "../../helpers/cli.ts";
import { writeFixtureDb, type FixtureDb } from "../../helpers/fixture-db.ts";

const CHROMIUM = "/usr/bin/chromium";
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"];
const TOKEN = "review-test-token-0123456789";
const B = (n: number) => `00000000-0000-4000-8000-00000000b00${n}`;
const withChromium = existsSync(CHROMIUM) ? describe : describe.skip;

function reviews(path: string): Array<Record<string, unknown>> {
  const db = new Database(path, { readonly: true });
  try {
    return db.query("SELECT detection_id, verdict, species, note, source FROM detection_reviews ORDER BY detection_id").all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

describe("the page's verdict write", () => {
  let home: TempHome;
  let fixture: FixtureDb;
  let server: WebServer;
  let base: string;
  const previousHome = process.env.ACOUPI_HOME;
  beforeAll(() => {
    home = makeTempHome("acoupi-review-web-");
    process.env.ACOUPI_HOME = home.acoupiHome; // buildStatus reads the status of this home
    fixture = writeFixtureDb(home.home);
    const web = { enabled: true, host: "127.0.0.1", port: 0, token: TOKEN };
    server = startWebServer({
      config: WebConfigSchema.parse(web),
      paths: acoupiPaths(home.acoupiHome),
      programName: "default",
      configSchema: BasicConfigSchema,
      programConfig: BasicConfigSchema.parse({ paths: { db_metadata: fixture.path, recordings: home.home, tmp_audio: home.home }, web }),
      logger: logger("web-test"),
      acoupiCommand: [process.execPath, MAIN],
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server?.stop();
    if (previousHome === undefined) delete process.env.ACOUPI_HOME;
    else process.env.ACOUPI_HOME = previousHome;
    home.cleanup();
  });

  const post = (id: string, headers: Record<string, string>, body: unknown = { verdict: "false" }) =>
    fetch(`${base}/detections/${id}/review`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });

  test("needs the token on loopback, refuses a foreign origin even with it, and sets the verdict from the page's own origin", async () => {
    const before = reviews(fixture.path);
    expect((await post(B(2), {})).status).toBe(403);
    expect(await (await post(B(2), {})).text()).toContain("needs the token");
    expect((await post(B(2), { "x-acoupi-token": "wrong" })).status).toBe(403);
    // The cookie and the URL do not carry a write's token: a browser adds those to cross-site requests by itself.
    expect((await post(B(2), { cookie: `acoupi_token=${TOKEN}` })).status).toBe(403);
    expect((await fetch(`${base}/detections/${B(2)}/review?token=${TOKEN}`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"verdict":"false"}' })).status).toBe(403);
    expect((await post(B(2), { "x-acoupi-token": TOKEN, origin: "http://attacker.example" })).status).toBe(403);
    expect((await post(B(2), { "x-acoupi-token": TOKEN, origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await post(B(2), { "x-acoupi-token": TOKEN, origin: "null" })).status).toBe(403);
    expect((await post(B(2), { "x-acoupi-token": TOKEN, "sec-fetch-site": "same-site" })).status).toBe(403);
    expect((await post(B(2), { "x-acoupi-token": TOKEN, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post(B(2), { "x-acoupi-token": TOKEN, "content-type": "text/plain" })).status).toBe(415);
    expect((await post(B(2), { "x-acoupi-token": TOKEN }, { verdict: "maybe" })).status).toBe(400);
    expect((await post(B(2), { "x-acoupi-token": TOKEN }, "{not json")).status).toBe(400);
    expect((await post("00000000-0000-4000-8000-0000000fffff", { "x-acoupi-token": TOKEN })).status).toBe(404);
    expect((await fetch(`${base}/detections/${B(2)}/review`)).status).toBe(405);
    expect(reviews(fixture.path)).toEqual(before);

    const ok = await post(B(2), { "x-acoupi-token": TOKEN, origin: base, "sec-fetch-site": "same-origin" }, { verdict: "false", species: "Erithacus rubecula", note: "robin" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ detection_id: B(2), verdict: "false", species: "Erithacus rubecula", note: "robin", source: "web" });
    const bearer = await post(B(4), { authorization: `Bearer ${TOKEN}` }, { verdict: "correct" });
    expect(bearer.status).toBe(200);
    expect(reviews(fixture.path)).toEqual([
      { detection_id: B(2), verdict: "false", species: "Erithacus rubecula", note: "robin", source: "web" },
      { detection_id: B(4), verdict: "correct", species: null, note: null, source: "web" },
    ]);
  });

  test("the loopback URL carries the token only when asked (`acoupi web url --token`), which the page's buttons need", () => {
    expect(webUrl("127.0.0.1", 8080, "t/k", false)).toBe("http://127.0.0.1:8080/");
    expect(webUrl("127.0.0.1", 8080, "t/k", true)).toBe("http://127.0.0.1:8080/?token=t%2Fk");
  });

  withChromium("in Chromium", () => {
    let browser: BrowserContext;
    let profile: string;
    let hostile: ReturnType<typeof Bun.serve>;
    beforeAll(async () => {
      profile = mkdtempSync(join(tmpdir(), "acoupi-chromium-"));
      browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS });
      // Another origin on this machine (another port: the same site, not the same origin).
      hostile = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        fetch: (request) => {
          const target = new URL(request.url).searchParams.get("target") ?? "";
          const html = `<!doctype html><html><body>
<form id="f" method="POST" action="${target}" enctype="text/plain"><input name='{"verdict":"false","x":"' value='"}'></form>
<script>
window.tryFetches = async function(token) {
  const out = {};
  try { await fetch(${JSON.stringify(target)}, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: '{"verdict":"false"}' }); out.noCors = "sent"; } catch (e) { out.noCors = "failed"; }
  try { const r = await fetch(${JSON.stringify(target)}, { method: "POST", headers: { "content-type": "application/json", "x-acoupi-token": token }, body: '{"verdict":"false"}' }); out.cors = r.status; } catch (e) { out.cors = "blocked"; }
  return out;
};
</script></body></html>`;
          return new Response(html, { headers: { "content-type": "text/html" } });
        },
      });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await hostile?.stop(true);
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    test("the page's buttons set a verdict with the token, and without it the page says how to get one", async () => {
      const page = await browser.newPage();
      expect((await page.goto(`${base}/?token=${TOKEN}`))?.status()).toBe(200);
      const row = page.locator(`tr[data-detection="${B(5)}"]`);
      expect(await row.locator(".verdict").textContent()).toBe("not reviewed");
      const written = page.waitForResponse((r) => r.url().endsWith(`/detections/${B(5)}/review`));
      await row.locator('button[data-verdict="uncertain"]').click();
      expect((await written).status()).toBe(200);
      await page.waitForFunction(`document.querySelector('tr[data-detection="${B(5)}"] .verdict').textContent === "uncertain"`, undefined, { timeout: 10_000 });
      expect(reviews(fixture.path).find((r) => r.detection_id === B(5))).toEqual({ detection_id: B(5), verdict: "uncertain", species: null, note: null, source: "web" });

      const bare = await browser.newPage();
      await bare.goto(`${base}/`);
      await bare.evaluate("sessionStorage.clear()");
      await bare.locator(`tr[data-detection="${B(1)}"] button[data-verdict="false"]`).click();
      await bare.waitForFunction(`document.getElementById("review-status").textContent.includes("acoupi web url --token")`, undefined, { timeout: 10_000 });
      // A same-origin request that leaves out the token is refused too.
      expect(await bare.evaluate(`fetch("/detections/${B(1)}/review", {method: "POST", headers: {"content-type": "application/json"}, body: '{"verdict":"false"}'}).then((r) => r.status)`)).toBe(403);
      expect(reviews(fixture.path).find((r) => r.detection_id === B(1))).toBeUndefined();
    }, 60_000);

    test("a page from another origin cannot set a verdict: its form post and no-cors fetch get 403 and a CORS fetch gets no preflight", async () => {
      const before = reviews(fixture.path);
      const target = `${base}/detections/${B(3)}/review`;
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${hostile.port}/?target=${encodeURIComponent(target)}`);
      const statuses: Array<[string, number]> = [];
      page.on("response", (r) => {
        if (r.url() === target) statuses.push([r.request().method(), r.status()]);
      });
      const results = (await page.evaluate(`window.tryFetches(${JSON.stringify(TOKEN)})`)) as { noCors: string; cors: number | string };
      // The no-cors POST reaches the server and is refused; the CORS one stops at a preflight the server never grants.
      expect(results.noCors).toBe("sent");
      expect(results.cors).toBe("blocked");
      const formResponse = page.waitForResponse((r) => r.url() === target && r.request().method() === "POST");
      await page.evaluate(`document.getElementById("f").submit()`);
      expect((await formResponse).status()).toBe(403);
      expect(statuses.filter(([method]) => method === "POST").map(([, s]) => s)).toEqual([403, 403]);
      expect(reviews(fixture.path)).toEqual(before);
    }, 60_000);
  });
});
