/**
 * @module The runner's web server (Bun.serve, plain routing): the overview at `/`, `/level`
 * (the newest file's level), the listening and charting pages of routes.ts (detections, recordings,
 * species, clips, the live level as server-sent events), each recording's spectrogram PNG (rendered in a child
 * process, see spectrogram-cache.ts) and WAV file by recording id (never by path), `/health` as
 * JSON and `/metrics` for Prometheus. It reads (GET and HEAD, a read-only connection to the metadata
 * database), with one write: a detection's verdict, which needs the token on every bind and is
 * refused cross-site (review-route.ts). On a loopback bind anyone on this machine may read;
 * on any other bind every request needs the token, from `?token=` (which also sets a cookie, so
 * images and audio on the page load), a cookie, or `Authorization: Bearer`.
 */
import type { Database } from "bun:sqlite";
import type { LiveLevel } from "../audio/live-level.ts";
import { timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ConsolaInstance } from "consola";
import type { z } from "zod";
import { findRecording } from "../components/stores/queries/listings.ts";
import type { TaskEventListener } from "../scheduler/types.ts";
import { selfCommand } from "../system/self-command.ts";
import { openSqliteReadonly } from "../system/sqlite.ts";
import { installPathRoots } from "../components/stores/queries/path-roots.ts";
import type { AcoupiPaths } from "../system/paths.ts";
import { buildStatus, healthText } from "../status/status-report.ts";
import { audioResponse } from "./audio-response.ts";
import { programSections, type ProgramSections } from "../programs/program-sections.ts";
import type { WebConfig } from "../programs/templates/web-config.ts";
import { dashboardData } from "./dashboard-data.ts";
import { latestInputLevel } from "./input-level.ts";
import { METRICS_CONTENT_TYPE, renderMetrics } from "./metrics.ts";
import { renderDashboard } from "./page.ts";
import { REVIEW_ROUTE, reviewWrite } from "./review-route.ts";
import { allowedHostNames, internalFailure, malformed, readCookie, refuseForeignHost } from "./request-guard.ts";
import { IDLE_TIMEOUT_S, limitRequests } from "./request-limits.ts";
import { HourlyCounts } from "./hourly-counts.ts";
import { LiveLevelFeed } from "./live-route.ts";
import { pageRoutes } from "./routes.ts";
import { TaskDurations } from "./task-durations.ts";
import { pageZone } from "./time-zone.ts";
import { SpectrogramCache } from "./spectrogram-cache.ts";
import { ensureWebToken, isLoopbackHost, removeEndpoint, webUrl, writeEndpoint } from "./token.ts";

const COOKIE = "acoupi_token";
const RECORDING_ROUTE = /^\/recordings\/([0-9a-f-]{36})\/(spectrogram\.png|audio\.wav)$/;

export interface WebServerOptions {
  config: WebConfig;
  paths: AcoupiPaths;
  programName: string;
  configSchema: z.ZodType;
  programConfig: unknown;
  onTaskEvent?: (listener: TaskEventListener) => () => void;
  logger: ConsolaInstance;
  /** argv prefix that runs acoupi, for rendering spectrograms in a child; default: this acoupi. */
  acoupiCommand?: readonly string[];
  /** The capture's live level slot (the runner's); without it /live/level is a 404. */
  liveLevel?: LiveLevel;
}

export interface WebServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

interface ProgramFacts {
  dbPath: string | null;
  recordingsDir: string | null;
  tmpDir: string | null;
  intervalS: number | null;
}

function facts(sections: ProgramSections): ProgramFacts {
  return {
    dbPath: sections.paths?.db_metadata ?? null,
    recordingsDir: sections.paths?.recordings ?? null,
    tmpDir: sections.paths?.tmp_audio ?? null,
    intervalS: sections.recording?.interval ?? null,
  };
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}

export function startWebServer(options: WebServerOptions): WebServer {
  const { config, paths, logger } = options;
  const sections = programSections(options.programConfig, { program: options.programName });
  const program = facts(sections);
  const open = isLoopbackHost(config.host);
  const token = ensureWebToken(paths, config);
  const durations = new TaskDurations();
  const unsubscribe = options.onTaskEvent?.(durations.listener);
  const spectrograms =
    program.dbPath === null
      ? null
      : new SpectrogramCache({ dir: join(paths.home, "cache", "spectrograms"), command: options.acoupiCommand ?? selfCommand(), dbPath: program.dbPath, recordingsDir: program.recordingsDir });
  let db: Database | null = null;

  // The runner creates the database as it starts; open it read-only on first need.
  const database = (): Database | null => {
    if (db === null && program.dbPath !== null && existsSync(program.dbPath)) {
      db = openSqliteReadonly(program.dbPath, "metadata database");
      // Stored paths are relative to these folders; the report queries join them back.
      if (db !== null) installPathRoots(db, { recordings: program.recordingsDir ?? dirname(program.dbPath), tmp: program.tmpDir ?? dirname(program.dbPath) });
      // A page reads little; a 512 KiB page cache (SQLite's default is 2 MiB) keeps the runner small.
      db?.run("PRAGMA cache_size = -512");
    }
    return db;
  };

  const recordingRoute = async (id: string, what: string, request: Request): Promise<Response> => {
    const conn = database();
    const recording = conn === null ? null : findRecording(conn, id);
    if (conn === null || recording === null || recording.path === null || !existsSync(recording.path)) return text(404, `No recording ${id} with a file on disk\n`);
    if (what === "audio.wav") return audioResponse(recording.path, request);
    const file = await (spectrograms as SpectrogramCache).file(recording.id, recording.detections);
    return new Response(Bun.file(file), { headers: { "content-type": "image/png", "cache-control": "private, max-age=3600" } });
  };

  const zone = pageZone(sections.timezone);
  const live = new LiveLevelFeed(options.liveLevel ?? null);
  const counts = new HourlyCounts();
  let stopping = false;
  // Count the charts' window in the background, in short steps, so no page view waits for all of it.
  void counts.catchUp(database, () => stopping).catch((error: unknown) => logger.warn("Counting detections for the charts failed:", error));
  const more = pageRoutes({ database, zone, title: "acoupi", spectrograms, live, counts });

  const route = async (request: Request, url: URL): Promise<Response> => {
    if (url.pathname === "/") {
      const data = dashboardData({
        db: database(),
        programName: options.programName,
        configSchema: options.configSchema,
        programConfig: options.programConfig,
        recordingIntervalS: program.intervalS,
        diskPath: program.recordingsDir,
        zone,
        counts,
      });
      return new Response(renderDashboard(data), { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } });
    }
    if (url.pathname === "/health") {
      const report = buildStatus();
      return Response.json({ health: report.health, text: healthText(report), reasons: report.degraded });
    }
    if (url.pathname === "/level") {
      const conn = database();
      return Response.json(conn === null ? null : latestInputLevel(conn), { headers: { "cache-control": "no-store" } });
    }
    if (url.pathname === "/metrics") {
      const diskPaths = [...new Set([program.recordingsDir, program.tmpDir])].filter((p): p is string => p !== null);
      return new Response(renderMetrics({ db: database(), durations: durations.stats(), diskPaths }), { headers: { "content-type": METRICS_CONTENT_TYPE } });
    }
    const match = RECORDING_ROUTE.exec(url.pathname);
    if (match) return recordingRoute(match[1] as string, match[2] as string, request);
    return (await more(request, url)) ?? text(404, "Not found\n");
  };

  const allowedHosts = allowedHostNames(config.host, config.allowed_hosts);
  const server = Bun.serve({
    hostname: config.host,
    port: config.port,
    // Production mode: an uncaught error never becomes Bun's development page (stack, source, cwd).
    development: false,
    error: (error) => {
      logger.error("The web page failed:", error);
      return internalFailure();
    },
    idleTimeout: IDLE_TIMEOUT_S,
    fetch: limitRequests(async (request) => {
      const refused = refuseForeignHost(request, allowedHosts);
      if (refused !== null) return refused;
      if (!URL.canParse(request.url)) return malformed("URL");
      const url = new URL(request.url);
      const review = REVIEW_ROUTE.exec(url.pathname);
      if (review) return reviewWrite(request, review[1] as string, { token, dbPath: program.dbPath });
      if (request.method !== "GET" && request.method !== "HEAD") return text(405, "This page is read-only\n", { allow: "GET, HEAD" });
      const cookie = readCookie(request.headers.get("cookie"), COOKIE);
      if (!cookie.ok) return malformed("cookie");
      const fromQuery = url.searchParams.get("token");
      const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
      if (!open && !sameToken(fromQuery, token) && !sameToken(cookie.value, token) && !sameToken(bearer, token)) {
        return text(401, "A token is required: open the URL that `acoupi web url` prints on the sensor\n");
      }
      try {
        const response = await route(request, url);
        if (!open && sameToken(fromQuery, token)) response.headers.append("set-cookie", `${COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`);
        return response;
      } catch (error) {
        logger.error(`The web page failed on ${url.pathname}:`, error);
        return internalFailure();
      }
    }),
  });
  const port = server.port ?? config.port;
  writeEndpoint(paths, { host: config.host, port, pid: process.pid });
  const url = webUrl(config.host, port, token);
  logger.info(`Web page on http://${config.host}:${port}/${open ? "" : " (token required)"}`);
  return {
    url,
    port,
    async stop() {
      unsubscribe?.();
      stopping = true;
      live.close();
      await server.stop(true);
      removeEndpoint(paths);
      db?.close();
      db = null;
    },
  };
}
