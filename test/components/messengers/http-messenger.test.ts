import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import { HttpConfigSchema, HttpMessenger, displayUrl } from "../../../src/components/messengers/http-messenger.ts";
import { maskSecrets } from "../../../src/config/secrets.ts";
import { createMessage, ResponseStatus } from "../../../src/data/index.ts";
import { HealthCheckError, MessageSendError } from "../../../src/errors.ts";
import { messengerContract } from "../../contracts/messenger.contract.ts";
import { freePort } from "../../helpers/mosquitto.ts";

const TOKEN = "Bearer tok-5f1e9a77c2";

function httpMessenger(url: string, extra: Record<string, unknown> = {}): HttpMessenger {
  return new HttpMessenger(HttpConfigSchema.parse({ base_url: url, ...extra }));
}

let contractServer: Server<undefined>;
let deadPort: number;
messengerContract("HttpMessenger", {
  async startReceiver() {
    const bodies: string[] = [];
    deadPort = await freePort();
    contractServer = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        if (request.method === "OPTIONS") return new Response(null, { status: 204, headers: { Allow: "OPTIONS, POST" } });
        bodies.push(await request.text());
        return new Response("stored", { status: 201 });
      },
    });
    return {
      received: () => [...bodies],
      async stop() {
        await contractServer.stop(true);
      },
    };
  },
  messenger: () => httpMessenger(`http://127.0.0.1:${contractServer.port}/messages`),
  deadMessenger: () => httpMessenger(`http://127.0.0.1:${deadPort}/messages`),
});

describe("HttpMessenger", () => {
  let server: Server<undefined>;
  let base: string;
  const seen: Array<{ method: string; path: string; headers: Headers; body: string }> = [];
  beforeAll(() => {
    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const url = new URL(request.url);
        seen.push({ method: request.method, path: url.pathname, headers: request.headers, body: await request.text() });
        switch (url.pathname) {
          case "/ok":
            return new Response("thanks", { status: 200 });
          case "/moved":
            return new Response(null, { status: 302, headers: { Location: "/ok" } });
          case "/unavailable":
            return new Response("try later", { status: 503 });
          case "/missing":
            return new Response("no such thing", { status: 404 });
          case "/unauthorised":
            return new Response(`bad token: ${request.headers.get("authorization")}`, { status: 401 });
          case "/slow":
            await Bun.sleep(3000);
            return new Response("late");
          case "/moved-secret":
            return new Response(null, { status: 308, headers: { Location: "/ok?key=s3cr3t-q" } });
          case "/huge":
            return new Response("é".repeat(4 * 1024 * 1024), { status: 200 });
          case "/echo":
            return new Response(`auth=${request.headers.get("authorization")} url=${request.url} basic=${request.headers.get("authorization") ?? ""}`);
          case "/get-only":
            return new Response(null, { status: 200, headers: { Allow: "GET, HEAD, OPTIONS" } });
          case "/no-options":
            return new Response("no", { status: request.method === "OPTIONS" ? 405 : 200 });
          default:
            if (url.pathname.startsWith("/code/")) return new Response("no", { status: Number(url.pathname.slice(6)) });
            return new Response("?", { status: 500 });
        }
      },
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.stop(true);
  });

  test("the config defaults follow acoupi: POST, application/json, 5 s", () => {
    expect(HttpConfigSchema.parse({ base_url: "https://example.org/in" })).toEqual({
      base_url: "https://example.org/in",
      method: "POST",
      headers: {},
      content_type: "application/json",
      timeout: 5,
    });
    expect(HttpConfigSchema.safeParse({ base_url: "ftp://example.org" }).success).toBe(false);
  });

  test("an acoupi 0.6 HTTP config parses unchanged", () => {
    const acoupi = { base_url: "http://example.org/in", content_type: "application/json", timeout: 5 };
    expect(HttpConfigSchema.parse(acoupi)).toMatchObject(acoupi);
  });

  test("a 2xx answer is a SUCCESS response carrying the body, and headers are sent as acoupi sends them", async () => {
    const messenger = httpMessenger(`${base}/ok`, { headers: { Authorization: TOKEN, "X-Site": "wood" } });
    const message = createMessage("detection", '{"a":1}');
    const response = await messenger.send(message);
    expect(response).toMatchObject({ message_id: message.id, status: ResponseStatus.SUCCESS, content: "thanks" });
    const request = seen.at(-1);
    expect(request?.method).toBe("POST");
    expect(request?.body).toBe('{"a":1}');
    expect(request?.headers.get("content-type")).toBe("application/json");
    expect(request?.headers.get("accept")).toBe("application/json");
    expect(request?.headers.get("authorization")).toBe(TOKEN);
    expect(request?.headers.get("x-site")).toBe("wood");
  });

  test("a 503 answer is a retryable MessageSendError", async () => {
    const error = await httpMessenger(`${base}/unavailable`).send(createMessage("detection", "{}")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageSendError);
    expect((error as MessageSendError).permanent).toBe(false);
    expect((error as MessageSendError).message).toContain("answered 503");
  });

  test("a 302 answer is not followed (the POST would arrive as a bodiless GET): it is a retryable MessageSendError naming the new place", async () => {
    const before = seen.length;
    const error = await httpMessenger(`${base}/moved`).send(createMessage("detection", '{"a":1}')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageSendError);
    expect((error as MessageSendError).permanent).toBe(false);
    expect((error as MessageSendError).misconfigured).toBe(true);
    expect((error as MessageSendError).message).toContain("answered 302");
    expect((error as MessageSendError).message).toContain(`redirect to ${base}/ok`);
    expect((error as MessageSendError).help).toContain("messaging.http.base_url");
    expect(seen.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(["POST /moved"]);
  });

  test("a 404 answer is a retryable MessageSendError (a server being redeployed), shown in status", async () => {
    const messenger = httpMessenger(`${base}/missing`);
    const error = await messenger.send(createMessage("detection", "{}")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageSendError);
    expect((error as MessageSendError).permanent).toBe(false);
    expect((error as MessageSendError).help).toContain("messaging.http.base_url");
    expect(messenger.status().figures).toMatchObject({ last_http_status: 404 });
  });

  test("only 400, 413, 415 and 422 are permanent; every other failing status is retried", async () => {
    for (const code of [400, 413, 415, 422, 401, 403, 404, 405, 408, 409, 410, 429, 500, 502, 503, 504]) {
      const error = await httpMessenger(`${base}/code/${code}`).send(createMessage("detection", "{}")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MessageSendError);
      expect([code, (error as MessageSendError).permanent]).toEqual([code, [400, 413, 415, 422].includes(code)]);
      expect((error as MessageSendError).message).toContain(`answered ${code}`);
    }
  });

  test("a redirect is not followed for a POST: it is a retryable failure naming where it points, without its secrets", async () => {
    const before = seen.length;
    const messenger = httpMessenger(`${base}/moved-secret`);
    const error = await messenger.send(createMessage("detection", "{}")).catch((e: unknown) => e);
    expect(seen.length).toBe(before + 1);
    expect((error as MessageSendError).permanent).toBe(false);
    expect((error as MessageSendError).message).toContain("answered 308");
    expect((error as MessageSendError).message).toContain(`${base}/ok?…`);
    expect((error as MessageSendError).message).not.toContain("s3cr3t-q");
    expect(messenger.status().degraded).toContain("redirect");
  });

  test("at most the first 4 KB of an 8 MB answer is read and returned as the response content", async () => {
    const response = await httpMessenger(`${base}/huge`).send(createMessage("detection", "{}"));
    expect(response.status).toBe(ResponseStatus.SUCCESS);
    expect(Buffer.byteLength(response.content ?? "")).toBe(4096);
    expect(response.content?.startsWith("é")).toBe(true);
  });

  test("a 2xx answer echoing the token, the URL password or a query token is stored scrubbed", async () => {
    const messenger = httpMessenger(`http://me:pw-77aa@127.0.0.1:${server.port}/echo?token=q-tok-31337`, { headers: { Authorization: TOKEN } });
    const response = await messenger.send(createMessage("detection", "{}"));
    expect(response.content).toContain("********");
    expect(response.content).not.toContain("tok-5f1e9a77c2");
    expect(response.content).not.toContain("q-tok-31337");
    expect(response.content).not.toContain("pw-77aa");
  });

  test("a server that does not answer within the timeout gives a retryable MessageSendError", async () => {
    const messenger = httpMessenger(`${base}/slow`, { timeout: 0.2 });
    const error = await messenger.send(createMessage("detection", "{}")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageSendError);
    expect((error as MessageSendError).permanent).toBe(false);
    expect((error as MessageSendError).message).toContain("did not answer");
  });

  test("a refused token is retryable, and the token never appears in the error even when the server echoes it", async () => {
    const messenger = httpMessenger(`${base}/unauthorised`, { headers: { Authorization: TOKEN } });
    const error = await messenger.send(createMessage("detection", "{}")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageSendError);
    expect((error as MessageSendError).permanent).toBe(false);
    expect((error as MessageSendError).help).toContain("messaging.http.headers");
    expect(`${(error as MessageSendError).message} ${(error as MessageSendError).help}`).not.toContain("tok-5f1e9a77c2");
  });

  test("a message that is not JSON is refused before any request, permanently", async () => {
    const before = seen.length;
    const error = await httpMessenger(`${base}/ok`).send(createMessage("detection", "not json")).catch((e: unknown) => e);
    expect((error as MessageSendError).permanent).toBe(true);
    expect(seen.length).toBe(before);
  });

  test("check fails when the endpoint answers an error", async () => {
    const error = await httpMessenger(`${base}/missing`).check().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HealthCheckError);
    expect((error as HealthCheckError).message).toBe(`HTTP endpoint ${base}/missing answered 404 Not Found to the health check`);
  });

  test("check fails when the endpoint does not allow the configured method", async () => {
    const error = await httpMessenger(`${base}/get-only`).check().catch((e: unknown) => e);
    expect((error as HealthCheckError).message).toContain("does not allow POST");
  });

  test("check passes when the server does not implement OPTIONS but answers", async () => {
    await httpMessenger(`${base}/no-options`).check();
  });

  test("check gives up after the timeout", async () => {
    const error = await httpMessenger(`${base}/slow`, { timeout: 0.2 }).check().catch((e: unknown) => e);
    expect((error as HealthCheckError).message).toContain("did not answer the health check within 0.2 s");
  });

  test("errors show the endpoint without user info or query string", async () => {
    expect(displayUrl("https://user:pw@example.org:8443/in?key=abc")).toBe("https://example.org:8443/in?…");
    const port = await freePort();
    const error = await httpMessenger(`http://me:hunter2@127.0.0.1:${port}/in?token=zzz`).send(createMessage("detection", "{}"))
      .catch((e: unknown) => e);
    expect((error as MessageSendError).message).not.toContain("hunter2");
    expect((error as MessageSendError).message).not.toContain("zzz");
  });

  test("the config layer masks the Authorization header", () => {
    const config = HttpConfigSchema.parse({ base_url: base, headers: { Authorization: TOKEN, "X-Site": "wood" } });
    expect(maskSecrets(HttpConfigSchema, config)).toMatchObject({ headers: { Authorization: "********", "X-Site": "wood" } });
  });
});
