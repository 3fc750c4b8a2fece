/**
 * @module The optional `upload` section: where saved recordings (and daily database snapshots)
 * go in S3-compatible object storage, when, how fast, and whether the local copy is deleted once
 * the upload is confirmed. Null (off) by default, like the other optional sections. The two keys
 * are secrets: masked in `config show`, never logged.
 */
import { z } from "zod";
import { noPrompt, secret } from "../config/markers.ts";
import { timeOfDay } from "../config/types.ts";

export const UPLOAD_KINDS = ["recordings", "clips", "snapshots"] as const;
export type UploadKind = (typeof UPLOAD_KINDS)[number];

export const UploadConfigSchema = z.object({
  endpoint: z
    .string()
    .url()
    .describe("The S3 endpoint URL, e.g. https://s3.eu-west-2.amazonaws.com, https://<account>.r2.cloudflarestorage.com or http://minio.lan:9000"),
  bucket: z.string().min(3).max(63).describe("The bucket to upload into (it must exist)"),
  prefix: z
    .string()
    .default("acoupi")
    .refine((p) => !p.startsWith("/") && !p.endsWith("/"), "the prefix must not start or end with /")
    .describe("Key prefix: objects go to <prefix>/<device_id>/<YYYY>/<MM>/<DD>/<file>"),
  region: z.string().min(1).default("us-east-1").describe("The bucket's region (S3-compatible stores often accept any, e.g. auto or us-east-1)"),
  access_key_id: secret(z.string().min(1).describe("Access key id of a key that may write to the bucket")),
  secret_access_key: secret(z.string().min(1).describe("Secret access key of that key")),
  what: z
    .array(z.enum(UPLOAD_KINDS))
    .min(1)
    .default(["recordings"])
    .describe("What to upload: recordings (saved recordings), clips, snapshots (a daily copy of the databases)"),
  window_start: timeOfDay("00:00:00").describe("Upload only from this time of day (HH:MM:SS, in `timezone`)"),
  window_end: timeOfDay("00:00:00").describe("…until this time of day; equal to window_start: at any time; earlier: overnight"),
  max_rate: z.number().int().positive().nullable().default(null).describe("At most this many bytes per second (empty: no limit), for metered links"),
  delete_after_upload: z.boolean().default(false).describe("Delete a recording's local file once its upload is confirmed (its metadata stays)"),
  interval: noPrompt(z.number().min(1).default(60).describe("Seconds between two upload runs")),
});
export type UploadConfig = z.output<typeof UploadConfigSchema>;
