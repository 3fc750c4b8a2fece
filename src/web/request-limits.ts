/**
 * @module Bounds on what the page may take: at most `MAX_IN_FLIGHT` requests are worked on at
 * once (more are answered 503 at once, so a request storm cannot pile up work or memory), and a
 * request that takes longer than `REQUEST_DEADLINE_MS` is answered 503. Slow and idle connections
 * are closed by Bun.serve's `idleTimeout` (`IDLE_TIMEOUT_S`). The page runs in its own Worker
 * (page-thread.ts), so these bound the page itself; capture and filing never wait for it.
 */

/** Requests worked on at once. */
export const MAX_IN_FLIGHT = 16;
/** Longest a request may take. */
export const REQUEST_DEADLINE_MS = 10_000;
/** Seconds a connection may stay silent before Bun.serve closes it. */
export const IDLE_TIMEOUT_S = 10;

function busy(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "1" } });
}

/** Wraps a fetch handler with the in-flight limit and the deadline. */
export function limitRequests(handler: (request: Request) => Promise<Response>): (request: Request) => Promise<Response> {
  let inFlight = 0;
  return async (request) => {
    if (inFlight >= MAX_IN_FLIGHT) return busy(503, "The sensor is busy; try again in a moment\n");
    inFlight++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const deadline = new Promise<Response>((resolve) => {
        timer = setTimeout(() => resolve(busy(503, `The sensor did not answer within ${REQUEST_DEADLINE_MS / 1000} s\n`)), REQUEST_DEADLINE_MS);
      });
      return await Promise.race([handler(request), deadline]);
    } finally {
      clearTimeout(timer);
      inFlight--;
    }
  };
}
