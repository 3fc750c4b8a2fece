/** @module Byte rates and sizes as people write them: `10M`, `500k`, `1.5G` (powers of 1024). */
import { ConfigError } from "../errors.ts";

const UNITS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes per second from `raw`; 0 means no limit. */
export function parseRate(raw: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?(?:\/s)?\s*$/i.exec(raw);
  if (match === null) {
    throw new ConfigError(`Invalid --${flag} "${raw}": expected bytes per second such as 10M, 500k or 0 (no limit)`, { key: flag });
  }
  return Math.round(Number(match[1]) * (UNITS[(match[2] ?? "").toLowerCase()] ?? 1));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
