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

/** Starts s3rver in this process, or (`separate`) in a child process, so its memory is not ours. */
export async function startS3Server(bucket = "field-data", options: { separate?: boolean } = {}): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-s3-"));
  let port: number;
  let close: () => Promise<void>;
  if (options.separate) {
    const child = Bun.spawn([process.execPath, join(import.meta.dir, "_s3-server-main.ts"), dir, bucket], { stdout: "pipe", stderr: "inherit" });
    const reader = child.stdout.getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("s3rver exited before it listened");
      text += new TextDecoder().decode(value);
    }
    port = Number(text.trim());
    close = async () => {
      child.kill();
      await child.exited;
    };
  } else {
    const server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
    port = (await server.run()).port;
    close = () => server.close();
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new Bun.S3Client({ endpoint, bucket, accessKeyId: S3_KEY_ID, secretAccessKey: S3_SECRET, region: "us-east-1" });
  return {
    endpoint,
    port,
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
      await close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
