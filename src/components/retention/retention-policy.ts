/**
 * @module The retention policy: the `storage` config section (a ceiling on the space recordings
 * use, as a share of their filesystem or a size; the free space to keep; an optional maximum
 * age; the order of sacrifice) and the pure planning that both the retention task and
 * `acoupi storage` (dry run) use: given the saved recordings and how much must go, which ones go,
 * in order. Only saved recordings are ever candidates: temp files still wait for their models, and
 * the databases are never touched.
 */
import { z } from "zod";
import type { RetentionCandidate } from "../stores/types.ts";
import { noPrompt } from "../../config/markers.ts";

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
const SIZE = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)\s*$/i;
const SHARE = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;

/** Bytes of a size such as "500MB", "20 GB" or "1.5GiB"; null if it is not one. */
export function parseSize(text: string): number | null {
  const match = SIZE.exec(text);
  if (!match) return null;
  return Math.round(Number(match[1]) * (UNITS[(match[2] ?? "b").toLowerCase()] ?? 1));
}

/** A share of the filesystem ("80%") as a fraction, or null. */
export function parseShare(text: string): number | null {
  const match = SHARE.exec(text);
  if (!match) return null;
  const share = Number(match[1]) / 100;
  return share > 0 && share <= 1 ? share : null;
}

function sizeField(defaultValue: string, allowShare: boolean) {
  return z
    .string()
    .superRefine((text, ctx) => {
      if (parseSize(text) !== null || (allowShare && parseShare(text) !== null)) return;
      const expected = allowShare ? 'a share of the filesystem such as "80%" or a size such as "20GB"' : 'a size such as "200MB" or "2GB"';
      ctx.addIssue({ code: "custom", message: `expected ${expected}, received "${text}"` });
    })
    .default(defaultValue);
}

export const SACRIFICE_GROUPS = ["no_detections", "detections"] as const;
export type SacrificeGroup = (typeof SACRIFICE_GROUPS)[number];

export const StorageConfigSchema = z.object({
  ceiling: sizeField("80%", true).describe('Most space the recordings may use: a share of their filesystem ("80%") or a size ("20GB")'),
  min_free: noPrompt(sizeField("200MB", false).describe('Free space retention keeps on the recordings\' filesystem ("200MB")')),
  max_age_days: noPrompt(z.number().positive().max(36_500).nullable().default(null).describe("Delete saved recordings older than this many days (empty: keep them while space allows)")),
  order: noPrompt(
    z
      .array(z.enum(SACRIFICE_GROUPS))
      .min(1)
      .default(["no_detections", "detections"])
      .describe("What retention deletes first, each oldest first; a group left out is never deleted for space"),
  ),
  keep_per_label: noPrompt(z.number().int().min(0).max(1_000_000).default(10).describe("Among recordings with detections, always keep the newest this many of each label")),
  interval: noPrompt(z.number().positive().max(86_400).default(300).describe("Seconds between two scheduled retention runs")),
});
export type StorageConfig = z.output<typeof StorageConfigSchema>;

/** The ceiling in bytes for a filesystem of `filesystemBytes`. */
export function ceilingBytes(config: Pick<StorageConfig, "ceiling">, filesystemBytes: number): number {
  const share = parseShare(config.ceiling);
  return share === null ? (parseSize(config.ceiling) ?? 0) : Math.floor(share * filesystemBytes);
}

export function minFreeBytes(config: Pick<StorageConfig, "min_free">): number {
  return parseSize(config.min_free) ?? 0;
}

/** Why a recording is to be deleted (`file_gone`: a crash already deleted its file). */
export type PurgeReason = "max_age" | "file_gone" | SacrificeGroup;

export interface PlannedPurge {
  candidate: RetentionCandidate;
  reason: PurgeReason;
  bytes: number;
}

export interface PurgePlanInput {
  /** Saved recordings, oldest first (RetentionStore.listRetentionCandidates). */
  candidates: readonly RetentionCandidate[];
  /** Bytes that must be freed for space (≤ 0: none). */
  needBytes: number;
  now: Date;
  /** Size of a candidate's file; 0 when it is already gone. */
  sizeOf: (path: string) => number;
}

/** The candidates in the order of sacrifice: each group of `order`, uploaded files first, then oldest first. */
export function sacrificeOrder(candidates: readonly RetentionCandidate[], order: readonly SacrificeGroup[]): Array<{ candidate: RetentionCandidate; group: SacrificeGroup }> {
  const out: Array<{ candidate: RetentionCandidate; group: SacrificeGroup }> = [];
  for (const group of new Set(order)) {
    const members = candidates.filter(
      (c) => (group === "no_detections" && !c.hasDetections) || (group === "detections" && c.hasDetections && !c.keptForLabel),
    );
    // Within a group, files already safe in object storage go before files that exist only here.
    for (const candidate of members) if (candidate.uploaded === true) out.push({ candidate, group });
    for (const candidate of members) if (candidate.uploaded !== true) out.push({ candidate, group });
  }
  return out;
}

/**
 * What to delete: every recording older than `max_age_days`, then recordings in the order of
 * sacrifice until `needBytes` are freed. The result may free less than asked when nothing more
 * may go; the caller compares.
 */
export function planPurge(config: StorageConfig, input: PurgePlanInput): PlannedPurge[] {
  const plan: PlannedPurge[] = [];
  const chosen = new Set<string>();
  let need = input.needBytes;
  if (config.max_age_days !== null) {
    const cutoff = input.now.getTime() - config.max_age_days * 86_400_000;
    for (const candidate of input.candidates) {
      if (candidate.recording.created_on.getTime() >= cutoff) break; // oldest first
      const bytes = input.sizeOf(candidate.recording.path ?? "");
      plan.push({ candidate, reason: "max_age", bytes });
      chosen.add(candidate.recording.id);
      need -= bytes;
    }
  }
  for (const { candidate, group } of sacrificeOrder(input.candidates, config.order)) {
    if (need <= 0) break;
    if (chosen.has(candidate.recording.id)) continue;
    const bytes = input.sizeOf(candidate.recording.path ?? "");
    plan.push({ candidate, reason: group, bytes });
    chosen.add(candidate.recording.id);
    need -= bytes;
  }
  return plan;
}
