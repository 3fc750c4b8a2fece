/**
 * @module The sensor's page on a phone, in a real Chromium (Debian's chromium, playwright-core)
 * against the compiled binary recording a 3 kHz tone from the FIFO fake microphone, fed at real
 * time by this test, in America/New_York time. Detections are planted in the metadata database
 * (on a real recording, and on three copies dated three days ago). At 412 px and 1280 px no page
 * is wider than the viewport; a detection's player plays its clip, whose duration is the clip's;
 * the species page's activity chart has the planted detections in their local hour cells; the
 * best label leads its clip's list and a hostile label stays text; unknown ids, species and
 * ranges give 404/416 and a bad filter 400; the live level follows the microphone's loudness
 * within 2 s (reads of 100 ms, `recording.chunksize` 1600: the fake microphone's ALSA buffer is
 * four reads, which at the default 8192 frames would hold 2 s of a 16 kHz stream). Screenshots of every page at both widths go to .tmp/artifacts/page-*.png.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { buildBinary } from "../../helpers/binaries.ts";
import { REPO } from "../../helpers/cli.ts";
import { countRows, deploy, said, waitFor, type Deployment } from "../../helpers/deployment.ts";
import { Feeder, HOSTILE, local, plant, RATE, ZONE, type Planted } from "./_phone-rig.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(REPO, ".tmp/artifacts");
const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--autoplay-policy=no-user-gesture-required"];
const withChromium = existsSync(CHROMIUM) ? describe : describe.skip;

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

withChromium("the sensor's page on a phone and on a desktop, against a compiled binary", () => {
  let d: Deployment;
  let feeder: Feeder;
  let profile: string;
  let browser: BrowserContext;
  let base: string;
  let planted: Planted;
  beforeAll(async () => {
    d = deploy({ mic: { fifo: true }, binary: buildBinary("x64"), prefix: "acoupi-phone-page-" });
    feeder = new Feeder(d.mic.rawPath);
    const setup = d.run([
      "setup", "--program", "default", "--no-prompt", "--timezone", ZONE,
      "--microphone.device_name", d.mic.device, "--microphone.samplerate", String(RATE), "--microphone.audio_channels", "1",
      "--recording.duration", "6", "--recording.interval", "6", "--recording.chunksize", "1600",
      "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59",
      "--recording.min_free_mb", "0", "--file_management.interval", "1",
      "--web.enabled", "true", "--web.host", "127.0.0.1", "--web.port", "0",
    ]);
    expect(setup.code, said(setup)).toBe(0);
    const start = d.run(["start", "--name", "meadow", "--no-check"]);
    expect(start.code, said(start)).toBe(0);
    const dbPath = join(d.home.acoupiHome, "storages/metadata.db");
    await waitFor("a saved recording", () => countRows(dbPath, "SELECT id FROM recordings WHERE state = 'saved'") >= 1, 90_000);
    planted = plant(dbPath, d.home.home, join(d.home.acoupiHome, "storages/recordings"));
    const printed = d.run(["web", "url"]);
    expect(printed.code, said(printed)).toBe(0);
    base = printed.stdout.trim().replace(/\/$/, "");
    profile = mkdtempSync(join(tmpdir(), "acoupi-chromium-"));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 412, height: 915 } });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    feeder?.close();
    await d?.cleanup();
  });

  const pages = () => ({
    overview: "/",
    detections: "/detections",
    filtered: `/detections?species=Blackbird&min_score=0.5&verdict=any`,
    recordings: "/recordings",
    species: "/species/Blackbird",
  });

  async function open(width: number, path: string): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewportSize({ width, height: 900 });
    const response = await page.goto(`${base}${path}`);
    expect(response?.status(), path).toBe(200);
    return page;
  }

  for (const width of [412, 1280]) {
    test(`at ${width} px no page is wider than the viewport, times are in the deployment's zone, and screenshots are kept`, async () => {
      for (const [name, path] of Object.entries(pages())) {
        const page = await open(width, path);
        await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
        const [scrollWidth, viewport] = await page.evaluate(() => {
          const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
          return [doc.documentElement.scrollWidth, doc.documentElement.clientWidth];
        });
        expect(scrollWidth, `${path} at ${width} px`).toBeLessThanOrEqual(viewport);
        expect(await page.locator("#zone").textContent()).toContain(ZONE);
        await page.screenshot({ path: join(ARTIFACTS, `page-${name}-${width}.png`), fullPage: true });
        await page.close();
      }
      expect(existsSync(join(ARTIFACTS, `page-species-${width}.png`))).toBe(true);
    }, 120_000);
  }

  test("a detection's player plays just its clip, the best label leads, and a hostile label stays text", async () => {
    const page = await open(412, "/detections");
    const row = page.locator(`article[data-detection="${planted.blackbird}"]`);
    const audio = row.locator("audio");
    await audio.scrollIntoViewIfNeeded();
    const duration = await audio.evaluate(
      (el) =>
        new Promise<number>((resolve, reject) => {
          const a = el as unknown as AudioLike;
          a.addEventListener("loadedmetadata", () => resolve(a.duration), { once: true });
          a.addEventListener("error", () => reject(new Error(`audio error ${a.error?.code}`)), { once: true });
          a.load();
        }),
    );
    // The clip is the detection (2.4–3.2 s with its neighbour aside: 2.5–3.0 s) with 1 s either side, in a 6 s recording.
    expect(duration).toBeCloseTo(2.5, 2);
    const played = await audio.evaluate(async (el) => {
      const a = el as unknown as AudioLike;
      a.muted = true;
      await a.play();
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, 5000);
        const tick = () => (a.currentTime > 0 ? (clearTimeout(deadline), resolve()) : a.addEventListener("timeupdate", tick, { once: true }));
        tick();
      });
      return { paused: a.paused, currentTime: a.currentTime };
    });
    expect(played.paused).toBe(false);
    expect(played.currentTime).toBeGreaterThan(0);
    const clip = await fetch(`${base}/detections/${planted.blackbird}/clip.wav`);
    expect(clip.headers.get("content-type")).toBe("audio/wav");
    expect((await clip.arrayBuffer()).byteLength).toBe(44 + 2.5 * RATE * 2);

    // Overlapping boxes: the labels in this clip, best score first, this one in bold.
    expect(await row.locator(".labels li").allTextContents()).toEqual(["Blackbird 0.98", "Carrion Crow 0.31"]);
    expect(await row.locator(".labels li").first().locator("strong").count()).toBe(1);
    const image = row.locator("img");
    await image.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => (el as unknown as { complete: boolean; naturalWidth: number }).complete && (el as unknown as { naturalWidth: number }).naturalWidth > 0, await image.elementHandle(), { timeout: 30_000 });

    const hostile = page.locator(`article[data-detection="${planted.hostile}"] .label`);
    expect(await hostile.textContent()).toBe(HOSTILE);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("img[onerror]").count()).toBe(0);
    await page.close();
  }, 90_000);

  test("the species page's activity chart has the planted detections in their local hour cells", async () => {
    const page = await open(412, `/species/${encodeURIComponent("blackbird")}`);
    const cells = await page.locator("#activity rect[data-count]").evaluateAll((els) =>
      els.map((el) => ({ date: el.getAttribute("data-date"), hour: Number(el.getAttribute("data-hour")), count: Number(el.getAttribute("data-count")) })).filter((c) => c.count > 0),
    );
    const now = local(planted.recordingCreated);
    const past = local(planted.pastCreated);
    expect(cells.sort((a, b) => (a.date ?? "").localeCompare(b.date ?? ""))).toEqual([
      { date: past.date, hour: past.hour, count: 3 },
      { date: now.date, hour: now.hour, count: 1 },
    ]);
    expect(await page.locator("#activity rect[data-count]").count()).toBe(30 * 24);
    await page.close();
  }, 60_000);

  test("the detections filter by species, score, local day and verdict, and page through all with Older", async () => {
    const ids = async (query: string) => {
      const html = await (await fetch(`${base}/detections${query}`)).text();
      return [...html.matchAll(/<article class="det" data-detection="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    };
    expect(await ids(`?species=carrion%20crow`)).toEqual([planted.crow]);
    expect((await ids(`?min_score=0.9`)).sort()).toEqual([planted.blackbird]);
    expect((await ids(`?date=${local(planted.pastCreated).date}`)).length).toBe(3);
    const review = d.run(["review", planted.crow, "--false", "--species", "Rook"]);
    expect(review.code, said(review)).toBe(0);
    expect(await ids(`?verdict=false`)).toEqual([planted.crow]);
    expect(await ids(`?verdict=none&species=Carrion%20Crow`)).toEqual([]);
    // Six planted detections, two to a page at most, ending after the recording that fills it: every one once, newest first.
    const seen: string[] = [];
    let next: string | null = "/detections?min_score=0.3&limit=2";
    while (next !== null) {
      const html = await (await fetch(`${base}${next}`)).text();
      seen.push(...[...html.matchAll(/<article class="det" data-detection="([0-9a-f-]{36})"/g)].map((m) => m[1] as string));
      next = /<a class="older" rel="next" href="([^"]+)"/.exec(html)?.[1]?.replaceAll("&amp;", "&") ?? null;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(6);
    expect(seen.slice(0, 3).sort()).toEqual([planted.blackbird, planted.crow, planted.hostile].sort());
    expect((await fetch(`${base}/detections?limit=0`)).status).toBe(400);
  }, 60_000);

  test("unknown ids, species and ranges are 404 or 416, a bad filter is 400, and none shows a stack", async () => {
    const unknown = crypto.randomUUID();
    const answers = [
      [await fetch(`${base}/detections/${unknown}/clip.wav`), 404],
      [await fetch(`${base}/detections/${unknown}/spectrogram.png`), 404],
      [await fetch(`${base}/species/Nightingale`), 404],
      [await fetch(`${base}/species/%E0%A4%A`), 404],
      [await fetch(`${base}/detections/${planted.blackbird}/clip.wav`, { headers: { range: "bytes=900000-" } }), 416],
      [await fetch(`${base}/detections?min_score=lots`), 400],
      [await fetch(`${base}/detections?date=2024-13-99`), 400],
      [await fetch(`${base}/recordings?before=yesterday`), 400],
    ] as const;
    for (const [response, status] of answers) {
      expect(response.status, response.url).toBe(status);
      expect(await response.text()).not.toMatch(/ at .*\.ts:\d+|stack/i);
    }
    const part = await fetch(`${base}/detections/${planted.blackbird}/clip.wav`, { headers: { range: "bytes=0-43" } });
    expect(part.status).toBe(206);
    expect(part.headers.get("content-range")).toBe(`bytes 0-43/${44 + 2.5 * RATE * 2}`);
  }, 60_000);

  test("the live level follows the microphone's loudness within 2 s", async () => {
    const page = await open(412, "/");
    const level = page.locator("#level[data-source=live]");
    await level.waitFor({ timeout: 15_000 });
    const peakNow = async () => Number(/peak (-?[\d.]+) dBFS/.exec((await page.locator("#level").textContent()) ?? "")?.[1]);
    const quiet = 20 * Math.log10(1000 / 32768);
    const loud = 20 * Math.log10(16000 / 32768);
    for (const deadline = Date.now() + 15_000; Math.abs((await peakNow()) - quiet) > 1; ) {
      if (Date.now() > deadline) throw new Error(`the live level never showed the quiet tone (${quiet.toFixed(1)} dBFS): ${await page.locator("#level").textContent()}`);
      await Bun.sleep(100);
    }
    feeder.amplitude = 16000;
    const switched = performance.now();
    await page.waitForFunction(
      (target) => {
        const text = (globalThis as unknown as { document: { getElementById(id: string): { textContent: string | null } | null } }).document.getElementById("level")?.textContent ?? "";
        const peak = Number(/peak (-?[\d.]+) dBFS/.exec(text)?.[1]);
        return Math.abs(peak - target) <= 1;
      },
      loud,
      { timeout: 10_000, polling: 50 },
    );
    const took = performance.now() - switched;
    console.log(`live level followed the loudness change in ${Math.round(took)} ms`);
    expect(took).toBeLessThanOrEqual(2000);
    await page.close();
  }, 60_000);
});
