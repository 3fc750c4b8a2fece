/**
 * @module A real S3 server for tests: s3rver (npm), on a loopback port with a temp folder and one
 * bucket, plus what a test needs to look inside it: the objects under a prefix with their
 * metadata, and the multipart uploads it still holds unfinished. s3rver checks the access key id
 * of a V4 request but not its signature (test/upload/sigv4.test.ts checks ours against Bun's).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";

export const S3_KEY_ID = "S3RVER";
export const S3_SECRET = "S3RVER";

export interface S3Server {
  endpoint: string;
  port: number;
  bucket: string;
  dir: string;
  /** Keys under `prefix`, sorted. */
  keys(prefix?: string): Promise<string[]>;
  /** Multipart uploads begun and neither completed nor aborted. */
  unfinishedUploads(): string[];
  stop(): Promise<void>;
}

export async function startS3Server(bucket = "field-data"): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-s3-"));
  const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
  const info = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${info.port}`;
  const client = new Bun.S3Client({ endpoint, bucket, accessKeyId: S3_KEY_ID, secretAccessKey: S3_SECRET, region: "us-east-1" });
  return {
    endpoint,
    port: info.port,
    bucket,
    dir,
    async keys(prefix = "") {
      const listed = await client.list({ prefix, maxKeys: 1000 });
      return (listed.contents ?? []).map((o) => o.key).sort();
    },
    unfinishedUploads() {
      const uploads = join(dir, bucket, "uploads");
      return existsSync(uploads) ? readdirSync(uploads).filter((id) => existsSync(join(uploads, id, "key")) && readFileSync(join(uploads, id, "key"), "utf8") !== "") : [];
    },
    async stop() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
