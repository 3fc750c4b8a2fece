/**
 * @module The page's one write: `POST /detections/<id>/review` with a JSON body
 * `{"verdict": "correct"|"false"|"uncertain", "species"?: "…", "note"?: "…"}` sets a detection's
 * verdict. Reading the page on loopback needs no token, but writing always does, on every bind:
 * anyone on the machine, or any page in a local browser, can reach a loopback port. So a write
 * must pass, in this order (403 for the first three):
 * - the browser's own word that it comes from this page: `Sec-Fetch-Site` (when sent) is
 *   `same-origin` (or `none`), and `Origin` (when sent) is this page's own origin, the Host it
 *   was asked for. A page on another site, or on another port of this machine, is refused;
 * - the token in an `X-Acoupi-Token` or `Authorization: Bearer` header, never from a cookie or the
 *   URL, which a browser adds by itself to cross-site requests; a custom header cannot be sent
 *   cross-site without a CORS preflight, which this server never grants;
 * - a JSON body (`Content-Type: application/json`), which an HTML form cannot send, of at most 4 KiB.
 * The database is opened for writing for this one request and closed again, so the page's
 * read-only connection stays read-only. Writers wait on SQLite's busy timeout, as the CLI does.
 */
import { timingSafeEqual } from "node:crypto";
import { existsSync } from "node:fs";
import { isVerdict, openMetadataForReview, setReview, UnknownDetectionError } from "../components/stores/reviews.ts";

export const REVIEW_ROUTE = /^\/detections\/([0-9A-Fa-f-]{36})\/review$/;
export const TOKEN_HEADER = "x-acoupi-token";
const MAX_BODY_BYTES = 4096;
const MAX_TEXT = 500;

export interface ReviewRouteOptions {
  token: string;
  /** The metadata database, or null when the program has none. */
  dbPath: string | null;
}

function reply(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers } });
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a request is not from this page itself, or null when nothing says it is cross-site. */
export function crossSiteReason(request: Request): string | null {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") return `the browser says it is a ${site} request`;
  const origin = request.headers.get("origin");
  if (origin === null) return null;
  const host = (request.headers.get("host") ?? "").toLowerCase();
  if (!URL.canParse(origin)) return "its Origin is not this page";
  const from = new URL(origin);
  if ((from.protocol !== "http:" && from.protocol !== "https:") || from.host.toLowerCase() !== host) return "its Origin is not this page";
  return null;
}

function optionalText(value: unknown, name: string): string | null | Error {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string" || value.length > MAX_TEXT) return new Error(`"${name}" must be text of at most ${MAX_TEXT} characters`);
  return value;
}

/** Handles `POST /detections/<id>/review` (see the module comment). */
export async function reviewWrite(request: Request, id: string, options: ReviewRouteOptions): Promise<Response> {
  if (request.method !== "POST") return reply(405, "Verdicts are set with POST\n", { allow: "POST" });
  const crossSite = crossSiteReason(request);
  if (crossSite !== null) return reply(403, `Refused: ${crossSite}; verdicts are set from the sensor's own page\n`);
  const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
  if (!sameToken(request.headers.get(TOKEN_HEADER), options.token) && !sameToken(bearer, options.token)) {
    return reply(403, "Setting a verdict needs the token (X-Acoupi-Token header), also on this machine: `acoupi web url --token` prints it\n");
  }
  if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) return reply(415, "Send the verdict as application/json\n");
  const length = Number(request.headers.get("content-length") ?? "0");
  if (length > MAX_BODY_BYTES) return reply(413, "The verdict is too large\n");
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) return reply(413, "The verdict is too large\n");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return reply(400, `The body is not JSON: ${(error as Error).message}\n`);
  }
  const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (!isVerdict(fields.verdict)) return reply(400, 'The body needs "verdict": "correct", "false" or "uncertain"\n');
  const species = optionalText(fields.species, "species");
  const note = optionalText(fields.note, "note");
  if (species instanceof Error) return reply(400, `${species.message}\n`);
  if (note instanceof Error) return reply(400, `${note.message}\n`);
  if (options.dbPath === null || !existsSync(options.dbPath)) return reply(404, "There is no metadata database yet\n");
  const db = openMetadataForReview(options.dbPath);
  try {
    const review = setReview(db, { id, verdict: fields.verdict, species, note, source: "web" });
    return Response.json(review, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    if (error instanceof UnknownDetectionError) return reply(404, `No detection ${id}\n`);
    throw error;
  } finally {
    db.close();
  }
}
