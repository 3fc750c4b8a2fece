/**
 * Our SigV4 signer agrees with Bun's S3 client: Bun's requests are captured by a loopback
 * server, and signing the same method, URL, headers and time with ours gives the same signature.
 * (s3rver, the test server, checks only the access key id of a V4 request, so this is where the
 * signature itself is checked.)
 */
import { afterAll, describe, expect, test } from "bun:test";
import { signRequest } from "../../src/upload/sigv4.ts";

const captured: Array<{ method: string; url: string; headers: Record<string, string> }> = [];
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    captured.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers.entries()) });
    return new Response("", { status: 200, headers: { etag: '"x"' } });
  },
});
afterAll(() => server.stop(true));

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "eu-west-2" };

describe("signRequest", () => {
  test("gives the signature Bun's S3 client gives for a PUT and a HEAD, keys with spaces and unicode included", async () => {
    const client = new Bun.S3Client({ endpoint: `http://127.0.0.1:${server.port}`, bucket: "field-data", ...CREDENTIALS });
    await client.write("acoupi/dev 1/2024/05/01/night-é.wav", "some bytes");
    await client.file("acoupi/dev 1/2024/05/01/night-é.wav").exists();
    expect(captured.length).toBeGreaterThanOrEqual(2);
    for (const request of captured) {
      const auth = request.headers.authorization ?? "";
      const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(";") ?? [];
      expect(signed.length).toBeGreaterThan(0);
      expect(auth).toMatch(/Signature=[0-9a-f]{64}$/);
      const headers: Record<string, string> = {};
      for (const name of signed) if (!["host", "x-amz-date", "x-amz-content-sha256"].includes(name)) headers[name] = request.headers[name] ?? "";
      const date = request.headers["x-amz-date"] ?? "";
      const when = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
      const ours = signRequest({ method: request.method, url: new URL(request.url), headers, payloadHash: request.headers["x-amz-content-sha256"] ?? "", date: when }, CREDENTIALS);
      expect(ours.authorization).toBe(auth);
    }
  });
});
