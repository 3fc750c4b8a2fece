/**
 * @module A fault-injecting HTTP proxy in front of a real S3 server, on a loopback port: it
 * forwards every request as it came, and on demand goes down (its listener closed, so requests
 * fail as in a network outage, mid-request included), goes down by itself after N multipart
 * parts, or answers writes with a quota error as a full bucket does. It counts the requests it saw.
 */
import type { Server } from "bun";

export type Fault = { kind: "none" } | { kind: "down" } | { kind: "down-after-parts"; parts: number } | { kind: "quota" };

export interface FaultProxy {
  endpoint: string;
  port: number;
  set(fault: Fault): void;
  /** Requests seen, by kind: `put`, `part`, `create`, `complete`, `head`. */
  counts: Record<string, number>;
  stop(): void;
}

function kindOf(request: Request, url: URL): string {
  if (request.method === "HEAD") return "head";
  if (request.method === "PUT" && url.searchParams.has("partNumber")) return "part";
  if (request.method === "PUT") return "put";
  if (request.method === "POST" && url.searchParams.has("uploads")) return "create";
  if (request.method === "POST" && url.searchParams.has("uploadId")) return "complete";
  return request.method.toLowerCase();
}

const QUOTA_XML = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>QuotaExceeded</Code><Message>The bucket is over its storage quota</Message></Error>`;

export function startFaultProxy(target: string): FaultProxy {
  let fault: Fault = { kind: "none" };
  const counts: Record<string, number> = {};
  let server: Server<undefined> | null = null;
  let port = 0;
  const listen = () => {
    server = Bun.serve({
      hostname: "127.0.0.1",
      port,
      async fetch(request) {
        const url = new URL(request.url);
        const kind = kindOf(request, url);
        counts[kind] = (counts[kind] ?? 0) + 1;
        if (fault.kind === "quota" && (kind === "put" || kind === "part" || kind === "create")) {
          return new Response(QUOTA_XML, { status: 403, headers: { "content-type": "application/xml" } });
        }
        if (fault.kind === "down-after-parts" && kind === "part" && (counts.part ?? 0) > fault.parts) {
          // The outage starts in the middle of this part: the listener closes under it.
          queueMicrotask(() => goDown());
          await Bun.sleep(50);
        }
        const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
        const headers = new Headers(request.headers);
        const upstream = await fetch(`${target}${url.pathname}${url.search}`, { method: request.method, headers, body, redirect: "manual" });
        return new Response(request.method === "HEAD" ? null : await upstream.arrayBuffer(), { status: upstream.status, headers: upstream.headers });
      },
    });
    port = server.port ?? 0;
  };
  const goDown = () => {
    server?.stop(true);
    server = null;
  };
  listen();
  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    set(next) {
      fault = next;
      if (next.kind === "down") goDown();
      else if (server === null) listen();
    },
    counts,
    stop: goDown,
  };
}
