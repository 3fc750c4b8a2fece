/**
 * @module /metrics in the Prometheus text exposition format (version 0.0.4): recordings by state,
 * task runs, failures, skips and durations, outbox depth, the analysis backlog, disk, CPU temperature, health, and
 * every numeric figure a component reports in the status file. Task counters and component
 * figures come from the status file (as `acoupi status` shows them), durations from the running
 * scheduler.
 */
import { STATUS_EXIT } from "../status/health.ts";
import type { Database } from "bun:sqlite";
import { existsSync, statfsSync } from "node:fs";
import { recordingsByState } from "../components/stores/queries/listings.ts";
import { cpuTemperature } from "../system/metrics.ts";
import { buildStatus } from "../status/status-report.ts";
import type { DurationStats } from "./task-durations.ts";

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function labelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** Samples grouped by metric family: the format wants each family's lines together, after its HELP and TYPE. */
class Exposition {
  #families = new Map<string, string[]>();

  add(name: string, type: "counter" | "gauge" | "summary", help: string, value: number, labels: Record<string, string> = {}, suffix = ""): void {
    let lines = this.#families.get(name);
    if (lines === undefined) {
      lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
      this.#families.set(name, lines);
    }
    const text = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`).join(",");
    lines.push(`${name}${suffix}${text ? `{${text}}` : ""} ${Number.isFinite(value) ? value : "NaN"}`);
  }

  toString(): string {
    return `${[...this.#families.values()].flat().join("\n")}\n`;
  }
}

export interface MetricsSources {
  db: Database | null;
  durations: ReadonlyMap<string, DurationStats>;
  diskPaths: readonly string[];
  thermalZonePath?: string;
}

export function renderMetrics(sources: MetricsSources): string {
  const out = new Exposition();
  const report = buildStatus();
  out.add("acoupi_up", "gauge", "1 while the runner serves this page", 1);
  for (const state of Object.keys(STATUS_EXIT)) out.add("acoupi_health", "gauge", "1 for the current health state", report.health === state ? 1 : 0, { state });
  if (sources.db !== null) {
    const states = recordingsByState(sources.db);
    for (const state of ["temp", "saved", "discarded", "missing"]) {
      out.add("acoupi_recordings", "gauge", "Recordings in the metadata database, by file state", states.get(state) ?? 0, { state });
    }
  }
  for (const [task, t] of Object.entries(report.status?.tasks ?? {})) {
    out.add("acoupi_task_runs_total", "counter", "Task runs started", t.runs, { task });
    out.add("acoupi_task_failures_total", "counter", "Task runs that failed", t.failures, { task });
    out.add("acoupi_task_skips_total", "counter", "Scheduled runs skipped because the previous one was still running", t.skips, { task });
  }
  for (const [task, d] of sources.durations) {
    out.add("acoupi_task_duration_seconds", "summary", "Task run durations", d.sumS, { task }, "_sum");
    out.add("acoupi_task_duration_seconds", "summary", "Task run durations", d.count, { task }, "_count");
    out.add("acoupi_task_last_duration_seconds", "gauge", "Duration of the task's last finished run", d.lastS, { task });
  }
  const outbox = report.status?.components.outbox;
  if (outbox) {
    for (const status of ["pending", "delivered", "failed"]) {
      const n = outbox[status];
      if (typeof n === "number") out.add("acoupi_outbox_messages", "gauge", "Messages in the outbox, by status", n, { status });
    }
  }
  const detection = report.status?.components.detection;
  if (detection !== undefined && typeof detection.backlog === "number") {
    out.add("acoupi_analysis_backlog", "gauge", "Recordings waiting for the model (detections.backlog)", detection.backlog);
    out.add("acoupi_analysis_backlog_age_seconds", "gauge", "Seconds since the start of the oldest recording waiting for the model", Number(detection.backlog_age_s ?? 0));
    out.add("acoupi_analysis_skipped_total", "counter", "Recordings the backlog's policy left unanalysed", Number(detection.backlog_skipped ?? 0));
  }
  for (const [component, figures] of Object.entries(report.status?.components ?? {})) {
    for (const [name, value] of Object.entries(figures)) {
      if (typeof value === "number") out.add("acoupi_component_figure", "gauge", "Numeric figures components report in the status", value, { component, name });
    }
  }
  for (const path of sources.diskPaths) {
    if (!existsSync(path)) continue;
    const fs = statfsSync(path);
    out.add("acoupi_disk_free_bytes", "gauge", "Bytes free to unprivileged users on the filesystem of the path", fs.bavail * fs.bsize, { path });
    out.add("acoupi_disk_size_bytes", "gauge", "Size of the filesystem of the path", fs.blocks * fs.bsize, { path });
  }
  for (const m of cpuTemperature({ path: sources.thermalZonePath })) out.add("acoupi_cpu_temperature_celsius", "gauge", "SoC temperature", m.value);
  return out.toString();
}
