/**
 * @module `/live/level`: the capture's input level pushed to the page as server-sent events, for
 * placing the microphone. It reads the shared slot the capture stream writes (src/audio/live-level.ts)
 * every POLL_MS while at least one client is connected, and only then: with nobody connected
 * there is no timer, and the capture does not measure. At most MAX_CLIENTS listen at once (more
 * get 503). A slow client never holds anything up: an event it has not taken yet is replaced, not
 * queued (a stream with a one-event buffer that drops when full).
 */
import type { LiveLevel, LiveLevelValue } from "../audio/live-level.ts";

export const MAX_CLIENTS = 3;
const POLL_MS = 200;
/** A comment this often keeps the connection under Bun.serve's idle timeout when no level comes (not recording). */
const KEEPALIVE_MS = 3000;

interface Client {
  controller: ReadableStreamDefaultController<Uint8Array>;
}

const encoder = new TextEncoder();

export class LiveLevelFeed {
  readonly #level: LiveLevel | null;
  readonly #clients = new Set<Client>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastSeq = 0;
  #lastSent = 0;

  constructor(level: LiveLevel | null) {
    this.#level = level;
  }

  get clients(): number {
    return this.#clients.size;
  }

  response(request: Request): Response {
    if (this.#level === null) return new Response("This sensor has no live level (the page runs outside a runner)\n", { status: 404 });
    if (this.#clients.size >= MAX_CLIENTS) {
      return new Response(`At most ${MAX_CLIENTS} pages may watch the live level at once\n`, { status: 503, headers: { "retry-after": "5" } });
    }
    let client: Client | null = null;
    const stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          client = { controller };
          this.#add(client);
          controller.enqueue(encoder.encode("retry: 2000\n\n"));
          const now = this.#level?.read() ?? null;
          if (now !== null) controller.enqueue(encoder.encode(event(now)));
        },
        cancel: () => this.#remove(client),
      },
      { highWaterMark: 1, size: () => 1 },
    );
    request.signal.addEventListener("abort", () => this.#remove(client), { once: true });
    return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no" } });
  }

  close(): void {
    for (const client of [...this.#clients]) {
      try {
        client.controller.close();
      } catch (error) {
        // Already closed by the client going away: nothing left to close.
        void error;
      }
      this.#remove(client);
    }
  }

  #add(client: Client): void {
    this.#clients.add(client);
    if (this.#clients.size === 1) {
      this.#level?.watch(1);
      this.#timer = setInterval(() => this.#tick(), POLL_MS);
    }
  }

  #remove(client: Client | null): void {
    if (client === null || !this.#clients.delete(client)) return;
    if (this.#clients.size === 0) {
      this.#level?.watch(-1);
      if (this.#timer !== null) clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  #tick(): void {
    const value = this.#level?.read() ?? null;
    const now = Date.now();
    let text: string | null = null;
    if (value !== null && value.seq !== this.#lastSeq) text = event(value);
    else if (now - this.#lastSent >= KEEPALIVE_MS) text = ": waiting for the capture\n\n";
    if (text === null) return;
    this.#lastSeq = value?.seq ?? this.#lastSeq;
    this.#lastSent = now;
    const bytes = encoder.encode(text);
    for (const client of [...this.#clients]) {
      // A client that has not taken the last event yet skips this one: nothing queues up.
      if ((client.controller.desiredSize ?? 0) <= 0) continue;
      try {
        client.controller.enqueue(bytes);
      } catch (error) {
        // The client went away between two events: forget it.
        void error;
        this.#remove(client);
      }
    }
  }
}

function event(value: LiveLevelValue): string {
  return `data: ${JSON.stringify({ peak_dbfs: value.peak_dbfs, rms_dbfs: value.rms_dbfs, at: new Date(value.at).toISOString() })}\n\n`;
}
