/**
 * @module The retention task: keeps the recordings under their ceiling and the filesystem above
 * its minimum free space by deleting saved recordings in the policy's order of sacrifice (see
 * src/components/retention/retention-policy.ts), and deletes those past the maximum age. It runs
 * on a schedule and, through `condition`, before each recording when space is short, so recording
 * pauses only when nothing more may be deleted, and resumes by itself once space is back.
 *
 * Deleting for space happens only when it can reach its goal: when even deleting every recording
 * it may would not restore `min_free` (something else filled the disk) or fit the ceiling, it
 * deletes nothing for space and pauses recording with the reason ("disk filled by something else:
 * X MB outside the recordings"), so a foreign file never costs the recordings. It deletes only
 * files it wrote: a row whose path is a symlink, or lies behind one, is never a candidate.
 *
 * A deletion unlinks the file, then marks the row `purged` with the time (path cleared). A crash
 * between the two leaves a saved row without its file; it is an old one (retention deletes oldest
 * first), so each run looks at the oldest few saved rows and marks those without a file purged.
 */
import { existsSync, unlinkSync } from "node:fs";
import type { ConsolaInstance } from "consola";
import { filesystemSpace, fileBytes, treeBytes } from "../components/retention/disk-usage.ts";
import { ownFileChecker } from "../components/retention/own-files.ts";
import { ceilingBytes, minFreeBytes, planPurge, type PlannedPurge, type StorageConfig } from "../components/retention/retention-policy.ts";
import type { RetentionStore } from "../components/stores/types.ts";
import type { ComponentStatus } from "../data/component-status.ts";
import type { CheckReport, Metric } from "../data/index.ts";
import type { Clock } from "../scheduler/clock.ts";
import type { NamedCondition } from "./recording.ts";

export interface RetentionTaskDeps {
  store: RetentionStore;
  config: StorageConfig;
  /** Kept recordings, and recordings waiting for their models. */
  folders: { recordings: string; tmp: string };
  /** Below this free space recording pauses, once nothing more may be deleted (recording.min_free_mb). */
  floorBytes: number;
  /** Bytes one recording takes, kept as room for the next one. */
  recordingBytes: number;
  clock: Clock;
  logger: ConsolaInstance;
}

/** Space as retention sees it. */
export interface StorageUsage {
  /** Bytes the recordings (kept and waiting) take. */
  used: number;
  ceiling: number;
  /** Free space of the recordings' filesystem: what deleting recordings frees. */
  free: number;
  /**
   * Free space of the temp folder's filesystem; the same as `free` when they share one. On
   * another filesystem (a RAM disk) deleting recordings cannot free it: only recording pauses.
   */
  tmpFree: number;
  minFree: number;
  filesystem: number;
}

export interface RetentionRun {
  purged: number;
  freedBytes: number;
  /** Why recording cannot go on, when nothing more may be deleted; null when it can. */
  blocked: string | null;
}

export interface RetentionTask {
  run: () => RetentionRun;
  /** For `acoupi check`: warns when `storage.min_free` exceeds what deleting every recording could free. */
  check: () => CheckReport;
  /** The recording condition: makes room when space is short; false only when none can be made. */
  condition: NamedCondition;
  usage: () => StorageUsage;
  /** What the next run would delete, in order (the dry run of `acoupi storage`). */
  plan: () => { usage: StorageUsage; needBytes: number; plan: PlannedPurge[] };
  status: () => ComponentStatus;
  metrics: () => Metric[];
}

const MB = 1_000_000;
/** While blocked, the recording condition re-measures at most this often. */
const BLOCKED_RECHECK_MS = 5000;
/** Each run checks this many of the oldest saved rows for a file a crash deleted. */
const CRASH_CHECKED = 16;

function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / MB).toFixed(1)} MB`;
}

export function retentionTask(deps: RetentionTaskDeps): RetentionTask {
  const { config, folders } = deps;
  let purged = 0;
  let freedBytes = 0;
  const byReason: Record<string, number> = {};
  let lastRun: Date | null = null;
  let blocked: string | null = null;
  let blockedAt = 0;
  // When the last run freed nothing: below min_free with nothing to delete (yet above the floor),
  // each recording would otherwise walk the folders again.
  let fruitlessAt: number | null = null;
  // Bytes used at the last measurement plus one recording per recording since: an overestimate,
  // so the cheap check before each recording errs towards measuring again.
  let estimate: number | null = null;

  /**
   * Measures; `inFlight` bytes are added for a recording that may be starting right now (a
   * scheduled run can measure between the recording's check and its first bytes on disk).
   */
  function usage(inFlight = 0): StorageUsage {
    const space = filesystemSpace(folders.recordings);
    const tmpSpace = filesystemSpace(folders.tmp);
    // A file being captured counts at its full size: continuous capture writes it between checks.
    const parts = deps.recordingBytes;
    const used = treeBytes(folders.recordings, parts) + (folders.tmp.startsWith(`${folders.recordings}/`) ? 0 : treeBytes(folders.tmp, parts)) + inFlight;
    estimate = used;
    const tmpFree = tmpSpace.device === space.device ? space.free : tmpSpace.free;
    return { used, ceiling: ceilingBytes(config, space.total), free: space.free, tmpFree, minFree: minFreeBytes(config), filesystem: space.total };
  }

  function needOf(u: StorageUsage): number {
    return Math.max(0, u.used + deps.recordingBytes - u.ceiling, u.minFree - u.free);
  }

  /**
   * The purge plan. `reachable` is false when the deletions for space cannot free `needBytes`:
   * then only the deletions for age (and rows whose file a crash already deleted) are planned.
   */
  function plan(inFlight = 0): { usage: StorageUsage; needBytes: number; plan: PlannedPurge[]; reachable: boolean } {
    const u = usage(inFlight);
    const needBytes = needOf(u);
    const own = ownFileChecker([folders.recordings, folders.tmp]);
    // A file behind a symlink, or a symlink itself, is not ours to delete (nor to count as freeable).
    const candidates = deps.store.listRetentionCandidates({ keepPerLabel: config.keep_per_label }).filter((c) => c.recording.path === null || own(c.recording.path) !== "foreign");
    let planned = planPurge(config, { candidates, needBytes, now: deps.clock.now(), sizeOf: fileBytes });
    const freed = planned.reduce((sum, p) => sum + p.bytes, 0);
    const reachable = needBytes <= 0 || freed >= needBytes;
    if (!reachable) planned = planned.filter((p) => p.reason === "max_age");
    const chosen = new Set(planned.map((p) => p.candidate.recording.id));
    for (const candidate of candidates.slice(0, CRASH_CHECKED)) {
      const { path, id } = candidate.recording;
      if (!chosen.has(id) && (path === null || !existsSync(path))) planned.push({ candidate, reason: "file_gone", bytes: 0 });
    }
    return { usage: u, needBytes, plan: planned, reachable };
  }

  /** Bytes on the recordings' filesystem that are neither free nor recordings. */
  function outsideBytes(u: StorageUsage): number {
    return Math.max(0, u.filesystem - u.free - u.used);
  }

  function blockedReason(u: StorageUsage, reachable = true): string | null {
    if (!reachable && u.free < u.minFree) return `disk filled by something else: ${(outsideBytes(u) / MB).toFixed(1)} MB outside the recordings`;
    if (u.tmpFree <= deps.floorBytes && u.tmpFree < u.free) {
      return `less than ${deps.floorBytes / MB} MB free in paths.tmp_audio (${folders.tmp}), which is on another filesystem: deleting recordings cannot free it`;
    }
    if (u.free <= deps.floorBytes) return `less than ${deps.floorBytes / MB} MB free for recordings and nothing more may be deleted`;
    if (u.used + deps.recordingBytes > u.ceiling) {
      return `recordings use ${formatBytes(u.used)} of their ${formatBytes(u.ceiling)} ceiling and nothing more may be deleted`;
    }
    return null;
  }

  /** `inFlight`: bytes of a recording that may be under way (none when called by its own check). */
  function enforce(inFlight: number): RetentionRun {
    const planned = plan(inFlight);
    const run: RetentionRun = { purged: 0, freedBytes: 0, blocked: null };
    for (const item of planned.plan) {
      const { recording } = item.candidate;
      try {
        if (recording.path !== null) unlinkSync(recording.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
          deps.logger.error(`Cannot delete ${recording.path} to free space; keeping its row:`, error);
          continue;
        }
      }
      deps.store.markPurged(recording, deps.clock.now());
      run.purged++;
      run.freedBytes += item.bytes;
      byReason[item.reason] = (byReason[item.reason] ?? 0) + 1;
    }
    purged += run.purged;
    freedBytes += run.freedBytes;
    lastRun = deps.clock.now();
    const after = run.purged > 0 ? usage(inFlight) : planned.usage;
    run.blocked = blockedReason(after, planned.reachable) ?? (planned.reachable ? null : `recordings use ${formatBytes(after.used)} of their ${formatBytes(after.ceiling)} ceiling and nothing more may be deleted`);
    blocked = run.blocked;
    blockedAt = deps.clock.monotonic();
    fruitlessAt = run.purged === 0 ? blockedAt : null;
    if (run.purged > 0) deps.logger.info(`Retention deleted ${run.purged} recordings, freeing ${formatBytes(run.freedBytes)}`);
    if (run.blocked) deps.logger.warn(`Recording paused: ${run.blocked}`);
    return run;
  }

  const condition: NamedCondition = {
    get name() {
      return blocked ?? "no space for recordings";
    },
    degrades: true,
    test() {
      if (blocked !== null && deps.clock.monotonic() - blockedAt < BLOCKED_RECHECK_MS) return false;
      const space = filesystemSpace(folders.recordings);
      const tmpSpace = filesystemSpace(folders.tmp);
      // Only the recordings' filesystem can be freed by deleting; a full temp filesystem elsewhere only pauses.
      const free = space.free;
      const tmpFull = tmpSpace.device !== space.device && tmpSpace.free <= deps.floorBytes;
      const used = estimate ?? usage().used;
      const overCeiling = used + deps.recordingBytes > ceilingBytes(config, space.total);
      const short = overCeiling || free <= deps.floorBytes || free < minFreeBytes(config) || tmpFull;
      const recentlyFruitless = fruitlessAt !== null && deps.clock.monotonic() - fruitlessAt < BLOCKED_RECHECK_MS;
      if (blocked !== null || (short && (overCeiling || free <= deps.floorBytes || !recentlyFruitless))) enforce(0);
      else if (!short) blocked = null;
      if (blocked === null) estimate = (estimate ?? used) + deps.recordingBytes;
      return blocked === null;
    },
  };

  function retention_task(): RetentionRun {
    return enforce(deps.recordingBytes);
  }

  function check(): CheckReport {
    const u = usage();
    const warnings: string[] = [];
    // Deleting every recording frees at most what they use: beyond that, min_free cannot be met.
    if (u.free + u.used < u.minFree) {
      warnings.push(
        `storage.min_free (${formatBytes(u.minFree)}) exceeds what deleting every recording could ever free: ${formatBytes(u.free)} free and ${formatBytes(u.used)} of recordings; ` +
          `${formatBytes(outsideBytes(u))} on this filesystem is outside the recordings. Recording would pause: lower storage.min_free or free the disk`,
      );
    }
    return { subject: "storage", lines: [`${formatBytes(u.free)} free, recordings use ${formatBytes(u.used)} of ${formatBytes(u.ceiling)}; min_free ${formatBytes(u.minFree)}`], warnings };
  }

  return {
    run: retention_task,
    check,
    condition,
    usage,
    plan: () => plan(0),
    status() {
      return {
        figures: {
          purged,
          purged_total: deps.store.countPurged(),
          freed_bytes: freedBytes,
          purged_max_age: byReason.max_age ?? 0,
          purged_no_detections: byReason.no_detections ?? 0,
          purged_detections: byReason.detections ?? 0,
          used_bytes: estimate,
          blocked,
          last_run: lastRun?.toISOString() ?? null,
        },
      };
    },
    metrics() {
      const now = deps.clock.now();
      return [
        { name: "retention_purged", value: purged, unit: "count", captured_on: now },
        { name: "retention_freed", value: freedBytes, unit: "bytes", captured_on: now },
        { name: "recordings_storage_used", value: estimate ?? usage().used, unit: "bytes", captured_on: now },
      ];
    },
  };
}
