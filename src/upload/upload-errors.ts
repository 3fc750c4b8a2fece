/**
 * @module What a failed upload means for a person: a degraded reason that names the cause (the
 * key, the bucket, the quota, the network) instead of a retry loop nobody sees. The endpoint is
 * shown with any credentials in it masked.
 */
import { S3RequestError } from "./s3-bucket.ts";

const CREDENTIALS = new Set(["InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed"]);
const FULL = new Set(["QuotaExceeded", "XMinioStorageFull", "storage_cap_exceeded", "StorageFull", "InsufficientStorage", "EntityTooLarge"]);

/** The degraded reason for an upload failure (without the `upload:` prefix). */
export function degradedReason(error: unknown, where: string): string {
  if (!(error instanceof S3RequestError)) return `uploading to ${where} failed: ${error instanceof Error ? error.message : String(error)}`;
  if (CREDENTIALS.has(error.code)) return `${where} refused the access key (${error.code}): check upload.access_key_id and upload.secret_access_key`;
  if (error.code === "NoSuchBucket") return `${where} does not exist (NoSuchBucket): check upload.bucket and upload.endpoint`;
  if (FULL.has(error.code) || error.status === 507) return `${where} is full or over its quota (${error.code}): nothing more is uploaded until space is freed there`;
  if (error.status === 0) return `cannot reach ${where} (${error.message}); files wait here and are sent when it answers`;
  return `${where} answered ${error.status} ${error.code}: ${error.message}`;
}
