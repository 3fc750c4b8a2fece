/**
 * @module Object keys that name the sensor and the day: `<prefix>/<device_id>/<YYYY>/<MM>/<DD>/<file>`
 * (the UTC day the recording was made). The key depends only on the file, so every retry of a
 * recording goes to the same key and can never make a second copy.
 */
import { basename } from "node:path";

export function objectKey(prefix: string, deviceId: string, day: Date, file: string): string {
  const yyyy = String(day.getUTCFullYear());
  const mm = String(day.getUTCMonth() + 1).padStart(2, "0");
  const dd = String(day.getUTCDate()).padStart(2, "0");
  return [prefix, deviceId, yyyy, mm, dd, basename(file)].filter((part) => part !== "").join("/");
}
