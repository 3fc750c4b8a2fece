/**
 * @module The web page in a real browser: Debian's chromium driven by playwright-core opens the
 * page of a running compiled binary that records a 3 kHz tone from the fake microphone. The
 * latest recording is on the page with its spectrogram image loaded, its audio element knows the
 * recording's duration and plays, the input level is the tone's (the page then follows the
 * capture's live level, see phone-page.test.ts), and the
 * health text is what `acoupi status` says. The screenshot is kept in .tmp/artifacts/web.png. A
 * second binary bound to 0.0.0.0 (reached on 127.0.0.1 only) refuses requests without the token,
 * and its printed token opens the page.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { IMAGE_HEIGHT, IMAGE_WIDTH } from "../../../src/report/spectrogram/render.ts";
import { buildBinary } from "../../helpers/binaries.ts";
import { REPO } from "../../helpers/cli.ts";
import { countRows, deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";

const CHROMIUM = "/usr/bin/chromium";
const RATE = 16_000;
const ARTIFACT = join(REPO, ".tmp/artifacts/web.png");
const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--autoplay-policy=no-user-gesture-required"];

function tone(seconds: number): Int16Array {
  const s = new Int16Array(RATE * seconds);
  for (let i = 0; i < s.length; i++) s[i] = Math.round(8000 * Math.sin((2 * Math.PI * 3000 * i) / RATE));
  return s;
}

/** The parts of the page's elements the test reads (the test files have no DOM types). */
interface ImageLike {
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
}
interface AudioLike {
  readyState: number;
  duration: number;
  muted: boolean;
  paused: boolean;
  currentTime: number;
  error: { code: number } | null;
  load(): void;
  play(): Promise<void>;
  addEventListener(type: string, listener: () => void, options?: { once: boolean }): void;
}

const withChromium = existsSync(CHROMIUM) ? describe : describe.skip;

/** A compiled-binary deployment recording the tone with the web page on `host` (any free port), once two recordings are saved. */
async function deployWithWeb(host: string, prefix: string): Promise<{ d: Deployment; url: string; dbPath: string }> {
  const d = deploy({ mic: tone(60), binary: buildBinary("x64"), prefix });
  const setup = d.run([
    "setup", "--program", "default", "--no-prompt",
    "--microphone.device_name", d.mic.device, "--microphone.samplerate", String(RATE), "--microphone.audio_channels", "1",
    "--recording.duration", "2", "--recording.interval", "2",
    "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59",
    "--recording.min_free_mb", "0", "--file_management.interval", "1",
    "--web.enabled", "true", "--web.host", host, "--web.port", "0",
  ]);
  expect(setup.code, said(setup)).toBe(0);
  const start = d.run(["start", "--name", "meadow", "--no-check"]);
  expect(start.code, said(start)).toBe(0);
  const dbPath = join(d.home.acoupiHome, "storages/metadata.db");
  await waitFor("two saved recordings", () => countRows(dbPath, "SELECT id FROM recordings WHERE state = 'saved'") >= 2);
  const printed = d.run(["web", "url"]);
  expect(printed.code, said(printed)).toBe(0);
  return { d, url: printed.stdout.trim(), dbPath };
}

withChromium("the web page of a running compiled binary, in Chromium", () => {
  let d: Deployment;
  let profile: string;
  let browser: BrowserContext;
  let url: string;
  let dbPath: string;
  beforeAll(async () => {
    ({ d, url, dbPath } = await deployWithWeb("127.0.0.1", "acoupi-web-browser-"));
    profile = mkdtempSync(join(tmpdir(), "acoupi-chromium-"));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 412, height: 915 } });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await d?.cleanup();
  });

  test("shows the latest recording with its spectrogram, plays its audio, and agrees with acoupi status", async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const newestBefore = d.db(dbPath).query("SELECT max(created_on) AS t FROM recordings").get() as { t: string };
    const page = await browser.newPage();
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);

    const first = page.locator(".rec").first();
    const id = await first.getAttribute("data-recording");
    const row = d.db(dbPath).query("SELECT created_on, duration_s FROM recordings WHERE id = ?").get(id ?? "") as { created_on: string; duration_s: number } | null;
    expect(row).not.toBeNull();
    expect((row?.created_on ?? "") >= newestBefore.t).toBe(true);

    const image = first.locator("img");
    await image.scrollIntoViewIfNeeded();
    // Drawn on its first request by a child `acoupi spectrogram`: it took over 15 s on a busy 2-core machine.
    await page.waitForFunction((el) => (el as unknown as ImageLike | null)?.complete === true && (el as unknown as ImageLike).naturalWidth > 0, await image.elementHandle(), { timeout: 60_000 });
    expect(await image.evaluate((el) => [(el as unknown as ImageLike).naturalWidth, (el as unknown as ImageLike).naturalHeight])).toEqual([IMAGE_WIDTH, IMAGE_HEIGHT]);

    const audio = first.locator("audio");
    const duration = await audio.evaluate(
      (el) =>
        new Promise<number>((resolve, reject) => {
          const a = el as unknown as AudioLike;
          if (a.readyState >= 1) resolve(a.duration);
          a.addEventListener("loadedmetadata", () => resolve(a.duration), { once: true });
          a.addEventListener("error", () => reject(new Error(`audio error ${a.error?.code}`)), { once: true });
          a.load();
        }),
    );
    expect(duration).toBeCloseTo(row?.duration_s ?? 0, 1);
    const played = await audio.evaluate(async (el) => {
      const a = el as unknown as AudioLike;
      a.muted = true;
      await a.play();
      // Playing means the clock moves: wait (up to 5 s on a busy machine) for the first time update past 0.
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, 5000);
        const tick = () => (a.currentTime > 0 ? (clearTimeout(deadline), resolve()) : a.addEventListener("timeupdate", tick, { once: true }));
        tick();
      });
      return { paused: a.paused, currentTime: a.currentTime };
    });
    expect(played.paused).toBe(false);
    expect(played.currentTime).toBeGreaterThan(0);

    // The 8000-amplitude tone peaks at 20·log10(8000 / 32768) dBFS: the page as served shows the newest file's level, as does /level.
    const expectedPeak = 20 * Math.log10(8000 / 32768);
    const served = await (await fetch(url)).text();
    expect(Math.abs(Number(/id="level" data-source="file">peak (-?[\d.]+) dBFS/.exec(served)?.[1]) - expectedPeak)).toBeLessThanOrEqual(0.1);
    const live = (await (await fetch(new URL("/level", url))).json()) as { recording_id: string; created_on: string; peak_dbfs: number };
    expect(live.created_on >= (row?.created_on ?? "")).toBe(true);
    expect(Math.abs(live.peak_dbfs - expectedPeak)).toBeLessThanOrEqual(0.1);

    const health = (await page.locator("#health").textContent())?.trim();
    const status = d.run(["status"]);
    expect(status.code, said(status)).toBe(0);
    expect(/^\s*health : (.*)$/m.exec(status.stdout)?.[1]).toBe(health);
    expect(health).toBe("ok");

    mkdirSync(join(REPO, ".tmp/artifacts"), { recursive: true });
    await page.screenshot({ path: ARTIFACT, fullPage: true });
    expect(existsSync(ARTIFACT)).toBe(true);
  }, 120_000);
});

withChromium("the web page of a compiled binary bound beyond loopback", () => {
  let d: Deployment;
  let url: string;
  let profile: string;
  let browser: BrowserContext;
  beforeAll(async () => {
    ({ d, url } = await deployWithWeb("0.0.0.0", "acoupi-web-lan-"));
    profile = mkdtempSync(join(tmpdir(), "acoupi-chromium-"));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await d?.cleanup();
  });

  test("refuses a request without the token, and the printed URL's token opens the page with its images", async () => {
    const printed = new URL(url);
    const token = printed.searchParams.get("token") ?? "";
    expect(token.length).toBeGreaterThanOrEqual(32);
    // Only loopback traffic in tests: the same server, reached on 127.0.0.1.
    const local = `http://127.0.0.1:${printed.port}`;
    const refused = await fetch(`${local}/`);
    expect(refused.status).toBe(401);
    expect((await fetch(`${local}/metrics`)).status).toBe(401);
    expect((await fetch(`${local}/?token=${token}x`)).status).toBe(401);
    const page = await browser.newPage();
    expect((await page.goto(`${local}/?token=${token}`))?.status()).toBe(200);
    const image = page.locator(".rec img").first();
    await image.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => (el as unknown as ImageLike | null)?.complete === true && (el as unknown as ImageLike).naturalWidth > 0, await image.elementHandle(), { timeout: 60_000 });
    expect(await image.evaluate((el) => (el as unknown as ImageLike).naturalWidth)).toBe(IMAGE_WIDTH);
    // The image came with the cookie the token set, not with the token in its URL.
    expect(await image.getAttribute("src")).not.toContain("token");
  }, 120_000);
});
