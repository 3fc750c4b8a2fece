/**
 * @module Device metrics for heartbeats: each function samples one thing now and returns
 * `Metric[]`, empty when the machine cannot tell (no thermal zone, no clock-sync source), so a
 * heartbeat simply leaves it out. Names follow acoupi's device metrics where it has one
 * (`remaining_storage`, `used_storage`, `free_memory`, `consumed_memory`); units are "bytes",
 * "seconds", "celsius", "percent", "count", and "boolean" (1 or 0) for yes/no facts. Helpers at
 * the end turn values the runner already knows (outbox depth, last recording, task failures)
 * into metrics.
 */
import { existsSync, readFileSync, statfsSync } from "node:fs";
import { loadavg, freemem, uptime as osUptime } from "node:os";
import type { Metric } from "../data/heartbeat.ts";

export interface SampleOptions {
  /** When the sample is taken; defaults to now. */
  now?: Date;
}

export const THERMAL_ZONE_PATH = "/sys/class/thermal/thermal_zone0/temp";
export const MEMINFO_PATH = "/proc/meminfo";
/** systemd-timesyncd creates this file once the clock is synchronised. */
export const TIMESYNC_FLAG_PATH = "/run/systemd/timesync/synchronized";

function metric(name: string, value: number, unit: string, opts: SampleOptions): Metric {
  return { name, value, unit, captured_on: opts.now ?? new Date() };
}

function readOptional(path: string): string | null {
  if (!existsSync(path)) return null;
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    // A thermal zone can exist and still refuse reads (EINVAL, EACCES); that is "unknown".
    if (error instanceof Error && "code" in error) return null;
    throw error;
  }
}

/** The SoC temperature in °C from the first thermal zone (millidegrees in sysfs). */
export function cpuTemperature(opts: SampleOptions & { path?: string } = {}): Metric[] {
  const text = readOptional(opts.path ?? THERMAL_ZONE_PATH);
  const millidegrees = text === null ? Number.NaN : Number.parseInt(text.trim(), 10);
  if (!Number.isFinite(millidegrees)) return [];
  return [metric("cpu_temperature", millidegrees / 1000, "celsius", opts)];
}

/** The 1, 5 and 15 minute load averages (runnable processes, so "count"). */
export function loadAverage(opts: SampleOptions = {}): Metric[] {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return [
    metric("load_average_1m", one, "count", opts),
    metric("load_average_5m", five, "count", opts),
    metric("load_average_15m", fifteen, "count", opts),
  ];
}

/** Memory available to new work (MemAvailable, like psutil's `available` that acoupi reports). */
export function freeMemory(opts: SampleOptions & { meminfoPath?: string } = {}): Metric[] {
  const meminfo = readOptional(opts.meminfoPath ?? MEMINFO_PATH);
  const kib = meminfo === null ? null : /^MemAvailable:\s+(\d+)\s*kB/m.exec(meminfo)?.[1];
  const bytes = kib === null || kib === undefined ? freemem() : Number(kib) * 1024;
  return [metric("free_memory", bytes, "bytes", opts)];
}

/** This process's resident memory (acoupi's `consumed_memory`). */
export function processMemory(opts: SampleOptions = {}): Metric[] {
  return [metric("consumed_memory", process.memoryUsage.rss(), "bytes", opts)];
}

/**
 * Free and used space of the filesystem holding `path`. "Free" is what an unprivileged process
 * may still write (f_bavail), as `df` shows it; "used" excludes the root-reserved blocks.
 */
export function diskSpace(path: string, opts: SampleOptions = {}): Metric[] {
  const stats = statfsSync(path);
  const free = Number(stats.bavail) * Number(stats.bsize);
  const used = (Number(stats.blocks) - Number(stats.bfree)) * Number(stats.bsize);
  const usable = used + free;
  return [
    metric("remaining_storage", free, "bytes", opts),
    metric("used_storage", used, "bytes", opts),
    metric("used_storage_percent", usable > 0 ? (used / usable) * 100 : 0, "percent", opts),
  ];
}

/** Seconds since the machine booted and since this process started. */
export function uptime(opts: SampleOptions = {}): Metric[] {
  return [
    metric("uptime", osUptime(), "seconds", opts),
    metric("process_uptime", process.uptime(), "seconds", opts),
  ];
}

export interface ClockSyncOptions extends SampleOptions {
  syncFlagPath?: string;
  /** The `timedatectl` binary to ask, or null not to ask; found on PATH by default. */
  timedatectl?: string | null;
}

/**
 * Whether the system clock is synchronised (1) or not (0); empty when no source can tell. A Pi
 * without an RTC boots with a wrong clock, so this says whether timestamps can be trusted.
 */
export function clockSynchronised(opts: ClockSyncOptions = {}): Metric[] {
  if (existsSync(opts.syncFlagPath ?? TIMESYNC_FLAG_PATH)) return [metric("clock_synchronised", 1, "boolean", opts)];
  const timedatectl = opts.timedatectl === undefined ? Bun.which("timedatectl") : opts.timedatectl;
  if (timedatectl === null) return [];
  const result = Bun.spawnSync([timedatectl, "show", "-p", "NTPSynchronized", "--value"], {
    stdout: "pipe",
    stderr: "pipe",
    timeout: 3000,
  });
  const answer = result.exitCode === 0 ? result.stdout.toString().trim() : "";
  if (answer === "yes") return [metric("clock_synchronised", 1, "boolean", opts)];
  if (answer === "no") return [metric("clock_synchronised", 0, "boolean", opts)];
  return [];
}

/** Everything the machine itself can report, for a heartbeat. */
export function systemMetrics(opts: SampleOptions & { storagePath: string } & ClockSyncOptions): Metric[] {
  const now = opts.now ?? new Date();
  const at = { ...opts, now };
  return [
    ...cpuTemperature(at),
    ...loadAverage(at),
    ...freeMemory(at),
    ...processMemory(at),
    ...diskSpace(opts.storagePath, at),
    ...uptime(at),
    ...clockSynchronised(at),
  ];
}

/** Messages waiting in the outbox. */
export function outboxDepth(pending: number, opts: SampleOptions = {}): Metric[] {
  return [metric("outbox_pending", pending, "count", opts)];
}

/** Seconds since the last recording was captured; empty when there has been none. */
export function lastRecordingAge(lastRecordingOn: Date | null, opts: SampleOptions = {}): Metric[] {
  if (lastRecordingOn === null) return [];
  const now = opts.now ?? new Date();
  return [metric("last_recording_age", Math.max(0, (now.getTime() - lastRecordingOn.getTime()) / 1000), "seconds", { now })];
}

/** Task failure counts: the total, and one `task_failures.<task>` metric per task. */
export function taskFailures(counts: Readonly<Record<string, number>>, opts: SampleOptions = {}): Metric[] {
  const now = opts.now ?? new Date();
  const entries = Object.entries(counts).toSorted(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return [
    metric("task_failures", total, "count", { now }),
    ...entries.map(([task, n]) => metric(`task_failures.${task}`, n, "count", { now })),
  ];
}
