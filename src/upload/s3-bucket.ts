/**
 * @module The few S3 calls the uploader makes, over `fetch` with our SigV4 signer, path-style
 * (`<endpoint>/<bucket>/<key>`, which every S3-compatible store accepts): HEAD, PUT, and the
 * multipart calls (create, upload part, complete, abort). A non-2xx answer becomes an
 * S3RequestError with S3's error code (`InvalidAccessKeyId`, `NoSuchBucket`, `QuotaExceeded`…);
 * a network failure is an S3RequestError with status 0. Bodies are sent with Content-MD5 and
 * their SHA-256, so the store rejects bytes that changed on the way.
 */
import { createHash } from "node:crypto";
import { maskUrl } from "../config/secrets.ts";
import { EMPTY_SHA256, sha256Hex, signRequest, uriEncode, type Credentials } from "./sigv4.ts";

export interface S3BucketConfig extends Credentials {
  endpoint: string;
  bucket: string;
}

export class S3RequestError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = "S3RequestError";
    this.status = status;
    this.code = code;
  }
}

/**
 * A request body: bytes, or a slice of a file (`Bun.file(path).slice(a, b)`), which fetch sends
 * from the file without copying it into memory; with its MD5 (base64) and SHA-256 (hex).
 */
export interface Body {
  data: Uint8Array | Blob;
  md5: string;
  sha256: string;
}

export function bytesBody(data: Uint8Array): Body {
  return { data, md5: createHash("md5").update(data).digest("base64"), sha256: sha256Hex(data) };
}

export interface HeadResult {
  size: number;
  etag: string;
  meta: Record<string, string>;
}

function tag(xml: string, name: string): string | null {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? null;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export class S3Bucket {
  readonly #config: S3BucketConfig;
  readonly #base: URL;

  constructor(config: S3BucketConfig) {
    this.#config = config;
    const base = new URL(config.endpoint);
    // Credentials in the URL would be sent to the server in the clear and shown in errors.
    base.username = "";
    base.password = "";
    this.#base = base;
  }

  /** Where the bucket is, with any credentials in the endpoint masked: for messages. */
  get where(): string {
    return `bucket "${this.#config.bucket}" at ${maskUrl(this.#config.endpoint)}`;
  }

  #url(key: string, query: Record<string, string> = {}): URL {
    const path = `${this.#base.pathname.replace(/\/+$/, "")}/${uriEncode(this.#config.bucket, false)}/${uriEncode(key, true)}`;
    const url = new URL(path, this.#base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  async #request(method: string, key: string, options: { query?: Record<string, string>; headers?: Record<string, string>; body?: Body } = {}): Promise<Response> {
    const url = this.#url(key, options.query);
    const body = options.body;
    const headers: Record<string, string> = { ...options.headers };
    if (body !== undefined) headers["content-md5"] = body.md5;
    const signed = signRequest({ method, url, headers, payloadHash: body === undefined ? EMPTY_SHA256 : body.sha256, date: new Date() }, this.#config);
    delete signed.host;
    let response: Response;
    try {
      response = await fetch(url, { method, headers: signed, body: body?.data, redirect: "manual" });
    } catch (error) {
      throw new S3RequestError(0, "NetworkError", `cannot reach ${maskUrl(this.#config.endpoint)}: ${(error as Error).message}`);
    }
    if (response.ok) return response;
    // A HEAD answer has no body to say why; the same request as a one-byte GET does.
    if (method === "HEAD" && response.status !== 404) return this.#request("GET", key, { ...options, headers: { ...options.headers, range: "bytes=0-0" } });
    const text = await response.text();
    const code = tag(text, "Code") ?? (response.status === 404 ? "NotFound" : `HTTP${response.status}`);
    throw new S3RequestError(response.status, code, tag(text, "Message") ?? `${method} answered ${response.status} ${response.statusText}`);
  }

  /** The object's size, ETag and `x-amz-meta-*` values; null when there is none. */
  async head(key: string): Promise<HeadResult | null> {
    let response: Response;
    try {
      response = await this.#request("HEAD", key);
    } catch (error) {
      if (error instanceof S3RequestError && error.status === 404) return null;
      throw error;
    }
    const meta: Record<string, string> = {};
    for (const [name, value] of response.headers.entries()) if (name.startsWith("x-amz-meta-")) meta[name.slice(11)] = value;
    return { size: Number(response.headers.get("content-length") ?? -1), etag: (response.headers.get("etag") ?? "").replaceAll('"', ""), meta };
  }

  /** Uploads one object in one request; returns its ETag. */
  async put(key: string, body: Body, meta: Record<string, string>, type: string): Promise<string> {
    const response = await this.#request("PUT", key, { body, headers: { "content-type": type, ...metaHeaders(meta) } });
    return (response.headers.get("etag") ?? "").replaceAll('"', "");
  }

  async createMultipart(key: string, meta: Record<string, string>, type: string): Promise<string> {
    const response = await this.#request("POST", key, { query: { uploads: "" }, headers: { "content-type": type, ...metaHeaders(meta) } });
    const id = tag(await response.text(), "UploadId");
    if (id === null) throw new S3RequestError(response.status, "NoUploadId", "the answer to CreateMultipartUpload holds no UploadId");
    return id;
  }

  /** Uploads part `number` (from 1); returns its ETag. */
  async uploadPart(key: string, uploadId: string, number: number, body: Body): Promise<string> {
    const response = await this.#request("PUT", key, { query: { partNumber: String(number), uploadId }, body });
    return (response.headers.get("etag") ?? "").replaceAll('"', "");
  }

  /** Completes the upload; S3 may answer 200 with an error in the body, which is thrown. */
  async completeMultipart(key: string, uploadId: string, etags: readonly string[]): Promise<void> {
    const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>"${xmlEscape(etag)}"</ETag></Part>`).join("");
    const body = bytesBody(new TextEncoder().encode(`<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`));
    const response = await this.#request("POST", key, { query: { uploadId }, body, headers: { "content-type": "application/xml" } });
    const text = await response.text();
    const code = tag(text, "Code");
    if (code !== null) throw new S3RequestError(200, code, tag(text, "Message") ?? "CompleteMultipartUpload failed");
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.#request("DELETE", key, { query: { uploadId } });
  }
}

function metaHeaders(meta: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(meta).map(([k, v]) => [`x-amz-meta-${k}`, v]));
}
