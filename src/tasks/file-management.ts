/**
 * @module The file management task: moves finished recordings out of the temp folder. A
 * recording waits until its required models have run; one whose model failed on it, or stuck
 * longer than `maxWaitSeconds`, follows `on_timeout` and is counted, so nothing stays in temp
 * forever. `save` means saved: such a recording goes to `unprocessedDir` as it is, never judged
 * by the saving filters on an output it does not have. Saving filters are ORed (none = keep all); the first file
 * manager with a path wins. The DB path is updated right after the move, and a crash between
 * the two is repaired by the next run, which finds the file at its destination. A crash in a move
 * across filesystems after the copy (both files there) is finished by the next run too: it finds
 * the same bytes at the destination and removes the source, so there is one copy and one row.
 */
import { existsSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { basename, join } from "node:path";
import type { ConsolaInstance } from "consola";
import type { FileManager } from "../components/file-managers/types.ts";
import type { SavingFilter } from "../components/saving-filters/types.ts";
import type { RecordingStore, RecordingWithOutputs } from "../components/stores/types.ts";
import type { Recording } from "../data/index.ts";
import type { ComponentStatus } from "../data/component-status.ts";
import type { Clock } from "../scheduler/clock.ts";
import { moveFile } from "../system/move-file.ts";

export interface FileManagementDeps {
  store: RecordingStore;
  fileManagers: readonly FileManager[];
  savingFilters: readonly SavingFilter[];
  /** Names of the models whose output a recording waits for. */
  requiredModels: () => readonly string[];
  maxWaitSeconds: number;
  onTimeout: "save" | "delete";
  /** Where `on_timeout: save` files a recording that misses a model's output (`paths.recordings/unprocessed`). */
  unprocessedDir?: string;
  /** The required models that failed on this recording: it does not wait for them. */
  failedModels?: (recordingId: string) => readonly string[];
  /**
   * Models a recording never times out of (the privacy screen): it waits for them whatever its
   * age, even at the deployment's end, so nothing unscreened is ever filed.
   */
  neverTimeOut?: readonly string[];
  /** Told of each model whose output a handled recording lacked. */
  onTimedOut?: (model: string, recordingId: string) => void;
  clock: Clock;
  logger: ConsolaInstance;
}

export interface FileManagementCounts {
  saved: number;
  discarded: number;
  waiting: number;
  timedOut: number;
  missing: number;
  /** Recordings whose filing threw this run (left in temp, retried next run). */
  failed: number;
}

export interface FileManagementTask {
  /** The scheduled task; `force` treats every waiting recording as timed out (deployment end). */
  run: (force?: boolean) => FileManagementCounts;
  status: () => ComponentStatus;
}

/** Where the first manager that accepts it would put the recording, or null. */
export function destinationOf(managers: readonly FileManager[], item: RecordingWithOutputs): string | null {
  for (const manager of managers) {
    const path = manager(item.recording, item.modelOutputs);
    if (path !== null) return path;
  }
  return null;
}

/** The destination (or an earlier version's path for it) where the recording's file already is. */
function filedPath(managers: readonly FileManager[], item: RecordingWithOutputs): string | null {
  for (const manager of managers) {
    const path = manager(item.recording, item.modelOutputs);
    if (path === null) continue;
    return [path, ...(manager.previousPaths?.(path) ?? [])].find((p) => existsSync(p)) ?? null;
  }
  return null;
}

/** True when both files hold the same bytes (an earlier copy of this recording that completed). */
function sameContent(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false;
  return readFileSync(a).equals(readFileSync(b));
}

/**
 * Where to file the recording: the destination, or beside it with the id when another file holds
 * that name. `copied` is true when that place already holds this recording's bytes and no row
 * claims it: a move across filesystems that was interrupted after its copy, so only the source is
 * left to delete. (Another recording filed there has its row, even if its bytes are the same.)
 */
function targetFor(store: RecordingStore, destination: string, source: string, recording: Recording): { path: string; copied: boolean } {
  const candidates = [destination, destination.replace(/(\.wav)?$/, `_${recording.id.slice(0, 8)}.wav`)];
  for (const path of candidates) {
    if (!existsSync(path)) return { path, copied: false };
    if (store.getRecordingsInfoByPath([path]).length === 0 && sameContent(path, source)) return { path, copied: true };
  }
  return { path: candidates[1] as string, copied: false };
}

export function fileManagementTask(deps: FileManagementDeps): FileManagementTask {
  const totals: FileManagementCounts = { saved: 0, discarded: 0, waiting: 0, timedOut: 0, missing: 0, failed: 0 };
  /** Runs in a row in which filing failed and nothing was filed: the progress watch reads it. */
  let failingRuns = 0;
  let lastFailed = 0;
  let lastError: string | null = null;

  function discard(recording: Recording): void {
    if (recording.path && existsSync(recording.path)) unlinkSync(recording.path);
    deps.store.updateRecordingPath(recording, null, "discarded");
  }

  /** Where a recording missing a model's output goes: `unprocessedDir`, else the file managers' choice. */
  function unprocessedPath(item: RecordingWithOutputs, source: string): string | null {
    return deps.unprocessedDir === undefined ? destinationOf(deps.fileManagers, item) : join(deps.unprocessedDir, basename(source));
  }

  function handle(item: RecordingWithOutputs, force: boolean, counts: FileManagementCounts): void {
    const { recording, modelOutputs } = item;
    if (!recording.path || !existsSync(recording.path)) {
      // A crash between the move and the DB update leaves the file at its destination.
      const unprocessed = deps.unprocessedDir !== undefined && recording.path !== null ? join(deps.unprocessedDir, basename(recording.path)) : null;
      const destination = filedPath(deps.fileManagers, item) ?? (unprocessed !== null && existsSync(unprocessed) ? unprocessed : null);
      if (destination) {
        deps.store.updateRecordingPath(recording, destination, "saved");
        counts.saved++;
      } else {
        deps.store.updateRecordingPath(recording, recording.path, "missing");
        deps.logger.warn(`Recording ${recording.id} has no file at ${recording.path ?? "(no path)"}; marked missing`);
        counts.missing++;
      }
      return;
    }
    const done = new Set(modelOutputs.map((o) => o.name_model));
    const waitingFor = deps.requiredModels().filter((name) => !done.has(name));
    let unprocessed: string | null = null;
    if (waitingFor.length > 0) {
      const screening = waitingFor.filter((name) => deps.neverTimeOut?.includes(name));
      if (screening.length > 0) {
        counts.waiting++;
        return;
      }
      const failed = deps.failedModels?.(recording.id).filter((name) => waitingFor.includes(name)) ?? [];
      const ageSeconds = (deps.clock.now().getTime() - recording.created_on.getTime()) / 1000;
      if (!force && failed.length === 0 && ageSeconds < deps.maxWaitSeconds) {
        counts.waiting++;
        return;
      }
      counts.timedOut++;
      for (const name of waitingFor) deps.onTimedOut?.(name, recording.id);
      const why = failed.length > 0 ? `${failed.join(", ")} failed on it` : `it waited for ${waitingFor.join(", ")} too long`;
      if (deps.onTimeout === "delete") {
        deps.logger.warn(`Recording ${recording.id}: ${why}; deleting it (file_management.on_timeout: delete)`);
        discard(recording);
        counts.discarded++;
        return;
      }
      unprocessed = why;
    }
    // A recording missing a model's output is kept whole: no saving rule judges an output it lacks.
    const destination =
      unprocessed !== null
        ? unprocessedPath(item, recording.path)
        : deps.savingFilters.length === 0 || deps.savingFilters.some((filter) => filter(recording, modelOutputs))
          ? destinationOf(deps.fileManagers, item)
          : null;
    if (unprocessed !== null) deps.logger.warn(`Recording ${recording.id}: ${unprocessed}; saving it to ${destination} (file_management.on_timeout: save)`);
    if (destination === null) {
      discard(recording);
      counts.discarded++;
      return;
    }
    const target = targetFor(deps.store, destination, recording.path, recording);
    if (target.copied) {
      // Filing was interrupted between the copy and the removal of the source: finish it.
      unlinkSync(recording.path);
      deps.logger.info(`Recording ${recording.id} was already copied to ${target.path}; removed its temp file`);
    } else {
      const created = moveFile(recording.path, target.path);
      if (created !== undefined) deps.logger.info(`Created folder ${created} for recordings`);
    }
    deps.store.updateRecordingPath(recording, target.path, "saved");
    counts.saved++;
  }

  function file_management_task(force = false): FileManagementCounts {
    const counts: FileManagementCounts = { saved: 0, discarded: 0, waiting: 0, timedOut: 0, missing: 0, failed: 0 };
    for (const item of deps.store.listRecordingsByState("temp")) {
      try {
        handle(item, force, counts);
      } catch (error) {
        counts.failed++;
        lastError = error instanceof Error ? error.message : String(error);
        deps.logger.error(`File management of recording ${item.recording.id} failed: ${lastError}`);
      }
    }
    for (const key of ["saved", "discarded", "timedOut", "missing", "failed"] as const) totals[key] += counts[key];
    totals.waiting = counts.waiting;
    lastFailed = counts.failed;
    failingRuns = counts.failed > 0 && counts.saved + counts.discarded === 0 ? failingRuns + 1 : 0;
    if (counts.failed === 0) lastError = null;
    return counts;
  }

  return {
    run: file_management_task,
    status: () => ({
      degraded: lastFailed > 0 ? `cannot file ${lastFailed} recording${lastFailed > 1 ? "s" : ""}: ${lastError ?? "unknown error"}` : null,
      figures: { ...totals, failing_runs: failingRuns, last_error: lastError },
    }),
  };
}
