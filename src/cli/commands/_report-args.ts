/**
 * @module The filter flags shared by `recordings`, `detections`, `summary` and `export`
 * (`--since --until --label --min-score --deployment --verified --limit --db --root`), and their parsing into
 * ReportFilters. Times are ISO 8601 (a bare date is midnight UTC) or an age such as `90m`, `36h`
 * or `7d` (that long before now).
 */
import { ConfigError } from "../../errors.ts";
import type { ReportFilters } from "../../components/stores/queries/report-filters.ts";

/** Which metadata database a report command reads: `--db` (e.g. a backup's copy) and the root of its paths. */
export const DB_ARGS = {
  db: { type: "string", description: "Read this metadata database instead of the configured one (e.g. a backup's metadata.db)" },
  root: { type: "string", description: "The recordings folder of --db's paths (default: recordings/ beside it)" },
} as const;

export const FILTER_ARGS = {
  since: { type: "string", description: "Only recordings from this time on (ISO 8601, or an age like 24h, 7d)" },
  until: { type: "string", description: "Only recordings before this time (ISO 8601, or an age like 1h)" },
  label: { type: "string", description: "Only detections with this label (recordings: having one)" },
  "min-score": { type: "string", description: "Only detections scoring at least this (0–1)" },
  deployment: { type: "string", description: "Only this deployment (its id or name)" },
  verified: { type: "boolean", description: "Only detections a person marked correct (`acoupi review`)" },
  ...DB_ARGS,
} as const;

export const LIMIT_ARG = { limit: { type: "string", description: "At most this many rows" } } as const;

export interface FilterFlags {
  since?: string;
  until?: string;
  label?: string;
  "min-score"?: string;
  deployment?: string;
  limit?: string;
  verified?: boolean;
}

const AGE_RE = /^(\d+(?:\.\d+)?)([smhd])$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseTime(raw: string, flag: string, now: Date = new Date()): Date {
  const age = AGE_RE.exec(raw.trim());
  if (age) return new Date(now.getTime() - Number(age[1]) * (UNIT_MS[age[2] as string] ?? 0));
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00Z` : raw);
  if (Number.isNaN(date.getTime())) {
    throw new ConfigError(`Invalid --${flag} "${raw}": expected an ISO 8601 time (2024-05-01, 2024-05-01T06:00:00Z) or an age (90m, 36h, 7d)`, {
      key: flag,
    });
  }
  return date;
}

function parseNumber(raw: string, flag: string, check: (n: number) => boolean, expected: string): number {
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || !check(value)) {
    throw new ConfigError(`Invalid --${flag} "${raw}": expected ${expected}`, { key: flag });
  }
  return value;
}

export function parseFilters(flags: FilterFlags): ReportFilters {
  const filters: ReportFilters = {};
  if (flags.since) filters.since = parseTime(flags.since, "since");
  if (flags.until) filters.until = parseTime(flags.until, "until");
  if (flags.label) filters.label = flags.label;
  if (flags["min-score"]) filters.minScore = parseNumber(flags["min-score"], "min-score", (n) => n >= 0 && n <= 1, "a score between 0 and 1");
  if (flags.deployment) filters.deployment = flags.deployment;
  if (flags.verified === true) filters.verified = true;
  if (flags.limit) filters.limit = parseNumber(flags.limit, "limit", (n) => Number.isInteger(n) && n > 0, "a whole number above 0");
  return filters;
}
