/**
 * @module HttpMessenger: delivers outbox messages as HTTP requests (POST by default), as
 * acoupi's HTTPMessenger does, plus headers from the config (an Authorization header is masked
 * like any secret). A 2xx is delivered. Only the answers the payload itself causes (400, 413,
 * 415, 422) are permanent; every other failure (404 while a server is redeployed, 401/403 until
 * the token is fixed, 408, 429, 5xx, a redirect, the network, a timeout) is retryable, so the
 * outbox keeps the message and backs off. Redirects are never followed (a POST must not be
 * replayed elsewhere). At most the first 4 KB of an answer is read and kept, whatever the server
 * sends, and secret header values are scrubbed from it. Error messages show the endpoint without
 * user info or query string, so tokens in the URL never reach a log.
 */
import { z } from "zod";
import { ResponseStatus, type CheckReport, type ComponentStatus, type Message, type Response } from "../../data/index.ts";
import { HealthCheckError, MessageSendError } from "../../errors.ts";
import type { Messenger } from "./types.ts";

export const HttpConfigSchema = z.object({
  base_url: z
    .string()
    .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
      message: "expected an http:// or https:// URL",
    })
    .describe("URL that messages are sent to"),
  method: z.enum(["POST", "PUT", "PATCH"]).default("POST").describe("HTTP method used to send messages"),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .describe("Extra request headers, e.g. {\"Authorization\": \"Bearer …\"}; Authorization values are kept secret"),
  content_type: z.string().min(1).default("application/json").describe("Content-Type of the message body"),
  timeout: z.number().positive().max(600).default(5).describe("Seconds to wait for the server's answer"),
});
export type HttpConfig = z.output<typeof HttpConfigSchema>;

/** The only answers a retry cannot cure: the payload itself is refused. */
export const PERMANENT_STATUSES: ReadonlySet<number> = new Set([400, 413, 415, 422]);
/** Most bytes of an answer read and kept as the response content. */
export const RESPONSE_BODY_LIMIT = 4096;
const BODY_EXCERPT = 200;
const SECRET_HEADER_RE = /authorization|token|secret|api[_-]?key|cookie/i;
const HEADERS_HELP = "Check messaging.http.headers (the Authorization header)";
const URL_HELP = "Check messaging.http.base_url and that the server runs";

/** The URL without user info or query string (either may hold a token). */
export function displayUrl(text: string): string {
  if (!URL.canParse(text)) return "(invalid URL)";
  const url = new URL(text);
  return `${url.protocol}//${url.host}${url.pathname}${url.search === "" ? "" : "?…"}`;
}

function errorCode(error: unknown): string {
  if (error instanceof Error && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads at most `limit` bytes of the body and cancels the rest, so an endpoint answering
 * megabytes costs neither memory nor outbox space. A multi-byte character cut at the limit is
 * dropped rather than kept half.
 */
export async function readBounded(answer: globalThis.Response, limit = RESPONSE_BODY_LIMIT): Promise<string> {
  if (answer.body === null) return "";
  const reader = answer.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.byteLength;
    }
  } finally {
    // The rest of the body is not wanted; a server that already closed makes cancel reject, which changes nothing.
    if (size >= limit) await reader.cancel().catch((error: unknown) => void error);
    reader.releaseLock();
  }
  const bytes = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const part of parts) {
    if (offset >= bytes.length) break;
    const take = part.subarray(0, bytes.length - offset);
    bytes.set(take, offset);
    offset += take.length;
  }
  return new TextDecoder().decode(bytes, { stream: true });
}

/** Values a server could echo that must not be kept: secret headers (and their bare token), URL credentials, query values. */
function requestSecrets(config: HttpConfig): string[] {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(config.headers)) {
    if (!SECRET_HEADER_RE.test(name) || value === "") continue;
    found.add(value);
    // "Bearer <token>": the token alone may be echoed too.
    const token = value.split(/\s+/).pop() ?? "";
    if (token.length >= 6) found.add(token);
  }
  if (URL.canParse(config.base_url)) {
    const url = new URL(config.base_url);
    for (const part of [url.password, decodeURIComponent(url.password)]) if (part.length >= 3) found.add(part);
    for (const value of url.searchParams.values()) if (value.length >= 6) found.add(value);
  }
  // Longest first, so a value containing another is replaced whole.
  return [...found].sort((a, b) => b.length - a.length);
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
}

/** Answers that a retry cannot cure until the user changes the credentials or headers. */
const AUTH_STATUSES = new Set([401, 403, 407]);
const TLS_RE = /certificate|TLS|SSL/i;

export class HttpMessenger implements Messenger {
  readonly #config: HttpConfig;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #secrets: string[];
  #closed = false;
  /** The last failed send, cleared by a delivered one; `cureless` when a retry cannot fix it. */
  #lastFailure: { message: string; cureless: boolean; status: number | null; since: Date } | null = null;

  constructor(config: HttpConfig) {
    this.#config = config;
    this.#url = displayUrl(config.base_url);
    // acoupi sets Content-Type and Accept to the content type unless the user set them.
    const headers = new Headers({ "Content-Type": config.content_type, Accept: config.content_type });
    for (const [name, value] of Object.entries(config.headers)) headers.set(name, value);
    this.#headers = Object.fromEntries(headers.entries());
    this.#secrets = requestSecrets(config);
  }

  async send(message: Message): Promise<Response> {
    if (this.#closed) throw new MessageSendError("HTTP messenger is closed", { help: "This is a bug: a closed messenger was used" });
    if (/json/i.test(this.#config.content_type)) {
      try {
        JSON.parse(message.content);
      } catch (cause) {
        throw new MessageSendError(`Message ${message.id} is not valid JSON, so it cannot be sent as ${this.#config.content_type}`, {
          permanent: true,
          help: "Check the message builder that made it, or set messaging.http.content_type",
          cause,
        });
      }
    }
    let answer: globalThis.Response;
    try {
      answer = await fetch(this.#config.base_url, {
        method: this.#config.method,
        headers: this.#headers,
        body: message.content,
        // A followed 301/302/303 turns the POST into a bodiless GET whose 2xx would mark the
        // message delivered although no server got it: a redirect is a failure to report instead.
        redirect: "manual",
        signal: AbortSignal.timeout(this.#config.timeout * 1000),
      });
    } catch (cause) {
      const text = this.#networkFailure(cause, `message ${message.id}`);
      throw this.#failed(new MessageSendError(text, { help: URL_HELP, cause }), TLS_RE.test(text), null);
    }
    let body: string;
    try {
      body = this.#scrub(await readBounded(answer));
    } catch (cause) {
      const text = this.#networkFailure(cause, `the answer to message ${message.id}`);
      throw this.#failed(new MessageSendError(text, { help: URL_HELP, cause }), false, null);
    }
    if (answer.ok) {
      this.#lastFailure = null;
      return { message_id: message.id, status: ResponseStatus.SUCCESS, content: body, received_on: new Date() };
    }
    if (answer.status >= 300 && answer.status < 400) {
      const location = answer.headers.get("location");
      const where = location === null || !URL.canParse(location, this.#config.base_url) ? "" : ` to ${displayUrl(new URL(location, this.#config.base_url).href)}`;
      throw this.#failed(
        new MessageSendError(
          `HTTP endpoint ${this.#url} answered ${answer.status} ${answer.statusText} (a redirect${where}) to message ${message.id}; ` +
            "redirects are not followed for a " + this.#config.method,
          { misconfigured: true, help: "Set messaging.http.base_url to the address the server redirects to; the message stays in the outbox" },
        ),
        true,
        answer.status,
      );
    }
    const permanent = PERMANENT_STATUSES.has(answer.status);
    const excerpt = body.trim().slice(0, BODY_EXCERPT);
    throw this.#failed(
      new MessageSendError(
        `HTTP endpoint ${this.#url} answered ${answer.status} ${answer.statusText} to message ${message.id}` +
          (excerpt === "" ? "" : `: ${excerpt}`),
        { permanent, help: this.#statusHelp(answer.status) },
      ),
      AUTH_STATUSES.has(answer.status),
      answer.status,
    );
  }

  /**
   * Degraded while the last send failed in a way only the user can fix (credentials, TLS, a
   * redirect); every failure shows as `last_error` with its HTTP status and since when sends fail.
   */
  status(): ComponentStatus {
    const failure = this.#lastFailure;
    return {
      degraded: failure?.cureless ? failure.message : null,
      figures: {
        messenger: "http",
        last_error: failure?.message ?? null,
        last_http_status: failure?.status ?? null,
        failing_since: failure?.since.toISOString() ?? null,
      },
    };
  }

  #failed(error: MessageSendError, cureless: boolean, status: number | null): MessageSendError {
    this.#lastFailure = { message: error.message, cureless, status, since: this.#lastFailure?.since ?? new Date() };
    return error;
  }

  /** Asks the endpoint with OPTIONS (as acoupi does), within the timeout. */
  async check(): Promise<CheckReport> {
    let answer: globalThis.Response;
    try {
      answer = await fetch(this.#config.base_url, {
        method: "OPTIONS",
        headers: this.#headers,
        redirect: "manual",
        signal: AbortSignal.timeout(this.#config.timeout * 1000),
      });
      await readBounded(answer);
    } catch (cause) {
      throw new HealthCheckError(this.#networkFailure(cause, "the health check"), { help: URL_HELP, cause });
    }
    // Many servers do not implement OPTIONS: an answer at all shows the endpoint is there.
    const report: CheckReport = { subject: "messenger", lines: [`HTTP endpoint ${this.#url} reached: it answered ${answer.status} to OPTIONS`], warnings: [] };
    if (answer.status === 405 || answer.status === 501) return report;
    if (!answer.ok) {
      throw new HealthCheckError(`HTTP endpoint ${this.#url} answered ${answer.status} ${answer.statusText} to the health check`, {
        help: this.#statusHelp(answer.status),
      });
    }
    const allow = answer.headers.get("allow");
    if (allow !== null && allow.trim() !== "") {
      const methods = allow.split(",").map((m) => m.trim().toUpperCase());
      if (!methods.includes(this.#config.method)) {
        throw new HealthCheckError(`HTTP endpoint ${this.#url} does not allow ${this.#config.method}: it allows ${methods.join(", ")}`, {
          help: "Check messaging.http.base_url and messaging.http.method",
        });
      }
    }
    return report;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  /**
   * A server may echo the request back: secret header values, the URL's password and its query
   * values never reach a message, a log or the outbox.
   */
  #scrub(text: string): string {
    let out = text;
    for (const secret of this.#secrets) out = out.replaceAll(secret, "********");
    return out;
  }

  #networkFailure(cause: unknown, what: string): string {
    if (isTimeout(cause)) return `HTTP endpoint ${this.#url} did not answer ${what} within ${this.#config.timeout} s`;
    return `Cannot reach HTTP endpoint ${this.#url} for ${what}: ${errorCode(cause)}`;
  }

  #statusHelp(status: number): string {
    if (status === 401 || status === 403 || status === 407) return HEADERS_HELP;
    if (status === 404 || status === 405) {
      return "Check messaging.http.base_url and messaging.http.method; the message stays in the outbox and is sent again later";
    }
    if (PERMANENT_STATUSES.has(status)) {
      return "The server refused this message for good; check that it expects what acoupi sends, then run `acoupi outbox retry`";
    }
    return "The message stays in the outbox and is sent again later";
  }
}
