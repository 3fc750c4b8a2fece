/**
 * @module The page's listening and charting routes, served by server.ts: /detections (filtered,
 * paged), /recordings (paged), /species/<label>, a detection's clip (/detections/<id>/clip.wav)
 * and its short spectrogram (/detections/<id>/spectrogram.png), and /live/level (live-route.ts).
 * Query values are checked: a bad filter is a 400 that names it, an unknown detection, species or
 * cursor a 404, a byte range outside a clip a 416; never a stack trace. All read-only.
 */
import type { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import type { DetectionListRow } from "../components/stores/queries/listings.ts";
import { recordingDetections } from "../components/stores/queries/listings.ts";
import { clipBytes, clipResponse, clipSpan } from "./clip.ts";
import type { Neighbours } from "./detection-rows.ts";
import { frame } from "./layout.ts";
import { detectionsBody, recordingsBody } from "./listing-pages.ts";
import type { HourlyCounts } from "./hourly-counts.ts";
import type { LiveLevelFeed } from "./live-route.ts";
import { detectionsPage, findDetection, recordingsPage, speciesExists, VERDICT_FILTERS, type VerdictFilter } from "../components/stores/queries/page-queries.ts";
import { REVIEW_SCRIPT } from "./review-section.ts";
import type { SpectrogramCache } from "./spectrogram-cache.ts";
import { speciesBody } from "./species-page.ts";
import { localDayStart, zonedParts } from "./time-zone.ts";

export interface RouteContext {
  database(): Database | null;
  zone: string;
  title: string;
  spectrograms: SpectrogramCache | null;
  live: LiveLevelFeed;
  counts: HourlyCounts;
}

const DETECTION_ROUTE = /^\/detections\/([0-9a-fA-F-]{36})\/(clip\.wav|spectrogram\.png)$/;
const SPECIES_ROUTE = /^\/species\/([^/]+)$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-fA-F-]{36}$/;

function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

function html(body: string): Response {
  return new Response(body, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
}

class BadQuery extends Error {}

/** `limit`: entries per page, 1–100 (default PAGE_SIZE). */
function pageSize(value: string | null): number | undefined {
  if (value === null || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new BadQuery(`"limit" must be a whole number from 1 to 100, not "${value.slice(0, 40)}"`);
  return n;
}

function cursor(value: string | null): Date | undefined {
  if (value === null || value === "") return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new BadQuery(`"before" must be a time such as 2024-05-01T06:00:00.000Z, not "${value.slice(0, 40)}"`);
  return new Date(ms);
}

/** The detections of the same recording, fetched once per recording for a page's rows. */
function neighboursOf(db: Database): Neighbours {
  const cache = new Map<string, DetectionListRow[]>();
  return (row) => {
    let rows = cache.get(row.recording_id);
    if (rows === undefined) cache.set(row.recording_id, (rows = recordingDetections(db, row.recording_id)));
    return rows;
  };
}

function playable<T extends { path: string | null; state: string }>(r: T): T & { playable: boolean } {
  return { ...r, playable: r.path !== null && r.state !== "discarded" && existsSync(r.path) };
}

export function pageRoutes(ctx: RouteContext): (request: Request, url: URL) => Promise<Response | null> {
  const page = (current: "detections" | "recordings" | "species", title: string, body: string) =>
    html(frame({ title: `${title} · ${ctx.title}`, zone: ctx.zone, zoneName: zonedParts(Date.now(), ctx.zone).zoneName, current, body, scripts: REVIEW_SCRIPT }));

  const detectionMedia = async (db: Database, id: string, what: string, request: Request): Promise<Response> => {
    const row = findDetection(db, id);
    if (row === null || row.path === null || !existsSync(row.path)) return text(404, `No detection ${id} with its recording on disk\n`);
    const span = clipSpan(row);
    if (what === "clip.wav") return clipResponse(clipBytes(row.path, span, row.time_expansion), request);
    if (ctx.spectrograms === null) return text(404, "No spectrograms without a metadata database\n");
    const count = recordingDetections(db, row.recording_id).length;
    const file = await ctx.spectrograms.file(row.recording_id, count, span);
    return new Response(Bun.file(file), { headers: { "content-type": "image/png", "cache-control": "private, max-age=3600" } });
  };

  const detections = (db: Database, url: URL): Response => {
    const q = url.searchParams;
    const species = (q.get("species") ?? "").trim();
    const minScoreText = (q.get("min_score") ?? "").trim();
    const date = (q.get("date") ?? "").trim();
    const verdict = (q.get("verdict") ?? "any") || "any";
    const minScore = minScoreText === "" ? undefined : Number(minScoreText);
    if (minScore !== undefined && !(minScore >= 0 && minScore <= 1)) throw new BadQuery(`"min_score" must be a number from 0 to 1, not "${minScoreText.slice(0, 40)}"`);
    if (date !== "" && (!DAY.test(date) || !Number.isFinite(Date.parse(`${date}T00:00:00Z`)))) throw new BadQuery(`"date" must be a day such as 2024-05-01, not "${date.slice(0, 40)}"`);
    if (!(VERDICT_FILTERS as readonly string[]).includes(verdict)) throw new BadQuery(`"verdict" must be one of ${VERDICT_FILTERS.join(", ")}`);
    const day = date === "" ? {} : { since: localDayStart(date, ctx.zone), until: localDayStart(new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10), ctx.zone) };
    const result = detectionsPage(db, {
      ...(species !== "" ? { species } : {}),
      ...(minScore !== undefined ? { minScore } : {}),
      ...day,
      verdict: verdict as VerdictFilter,
      ...(cursor(q.get("before")) !== undefined ? { before: cursor(q.get("before")) as Date } : {}),
      ...(pageSize(q.get("limit")) !== undefined ? { limit: pageSize(q.get("limit")) as number } : {}),
    });
    ctx.counts.update(db);
    const known = ctx.counts.labels(new Date(Date.now() - 30 * 86_400_000));
    const body = detectionsBody(result, { species, min_score: minScoreText, date, verdict }, known, ctx.zone, neighboursOf(db), q);
    return page("detections", "Detections", body);
  };

  return async (request, url) => {
    const path = url.pathname;
    if (path === "/live/level") return ctx.live.response(request);
    const listing = path === "/detections" || path === "/recordings";
    const media = DETECTION_ROUTE.exec(path);
    const species = SPECIES_ROUTE.exec(path);
    if (!listing && media === null && species === null) return null;
    const db = ctx.database();
    if (db === null) return text(404, "Nothing recorded yet: the metadata database does not exist\n");
    try {
      if (path === "/detections") return detections(db, url);
      if (path === "/recordings") {
        const result = recordingsPage(db, cursor(url.searchParams.get("before")), pageSize(url.searchParams.get("limit")));
        return page("recordings", "Recordings", recordingsBody({ rows: result.rows.map(playable), older: result.older }, ctx.zone, url.searchParams));
      }
      if (media !== null) {
        if (!UUID.test(media[1] as string)) return text(404, "Not found\n");
        return await detectionMedia(db, media[1] as string, media[2] as string, request);
      }
      let name: string;
      try {
        name = decodeURIComponent(species?.[1] as string);
      } catch (error) {
        void error; // A malformed escape names no species.
        return text(404, "No such species\n");
      }
      ctx.counts.update(db);
      const lower = name.toLowerCase();
      const known = ctx.counts.labels(new Date(0)).find((l) => l.toLowerCase() === lower) ?? speciesExists(db, name);
      if (known === null) return text(404, `No detections of "${name.slice(0, 100)}" here\n`);
      return page("species", known, speciesBody(db, ctx.counts, known, ctx.zone, new Date(), neighboursOf(db)));
    } catch (error) {
      if (error instanceof BadQuery) return text(400, `${error.message}\n`);
      throw error;
    }
  };
}
