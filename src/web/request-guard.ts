/**
 * @module The checks every request to the page passes before any route runs. The Host header must
 * name this sensor: a page in some browser that re-points its own domain at this machine (DNS
 * rebinding) would otherwise read the page, the audio and /metrics from inside the LAN. The names
 * that fit the bind are accepted (`localhost` and the bound address on a loopback bind; every
 * interface address, the host name and `<host name>.local` on a wildcard bind; the address on any
 * other bind), plus those in `web.allowed_hosts`. A malformed cookie is a plain 400: no route, no
 * stack, nothing about the process. The token cookie is read here too, so its parsing cannot throw.
 */
import { hostname, networkInterfaces } from "node:os";
import { isLoopbackHost } from "./token.ts";

/** Lowercase, without IPv6 brackets and without a trailing dot. */
function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
}

/** The host names (lowercase, IPv6 without brackets) that requests to a page bound to `bind` may use. */
export function allowedHostNames(bind: string, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>(extra.map(normalise));
  const host = normalise(bind);
  names.add(host);
  if (isLoopbackHost(host)) {
    names.add("localhost");
  } else if (host === "0.0.0.0" || host === "::") {
    names.add("localhost");
    for (const addresses of Object.values(networkInterfaces())) for (const a of addresses ?? []) names.add(normalise(a.address));
    const own = normalise(hostname());
    if (own !== "") names.add(own).add(`${own}.local`);
  }
  return names;
}

/** The name in a Host header value (`name`, `name:port`, `[v6]` or `[v6]:port`), or null when it is malformed. */
export function hostHeaderName(value: string): string | null {
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/i.exec(value);
  if (bracketed) return normalise(bracketed[1] as string);
  const plain = /^([a-z0-9._-]+)(?::\d{1,5})?$/i.exec(value);
  return plain ? normalise(plain[1] as string) : null;
}

export type CookieRead = { ok: true; value: string | null } | { ok: false };

/** The value of cookie `name`, null when absent; not ok when its percent-encoding is malformed. */
export function readCookie(header: string | null, name: string): CookieRead {
  for (const part of (header ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key !== name) continue;
    try {
      return { ok: true, value: decodeURIComponent(value.join("=")) };
    } catch {
      // decodeURIComponent throws URIError on a stray `%`: the cookie is malformed, which the caller answers with a 400.
      return { ok: false };
    }
  }
  return { ok: true, value: null };
}

function plain(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
}

/** A refusal for a request whose Host is missing, malformed or not one of `allowed`; null when it may go on. */
export function refuseForeignHost(request: Request, allowed: ReadonlySet<string>): Response | null {
  const value = request.headers.get("host");
  if (value === null) return plain(400, "The request has no Host header\n");
  const name = hostHeaderName(value);
  if (name === null) return plain(400, "The request's Host header is malformed\n");
  if (!allowed.has(name)) return plain(403, "This sensor's page does not answer to that host name: add it to web.allowed_hosts to allow it\n");
  return null;
}

/** A plain 400 for a malformed cookie, header or URL. */
export function malformed(what: string): Response {
  return plain(400, `The request's ${what} is malformed\n`);
}

/** The plain 500 for anything that escaped the routes: it says nothing about the process. */
export function internalFailure(): Response {
  return plain(500, "The sensor could not build this page; see its log\n");
}
