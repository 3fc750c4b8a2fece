/**
 * @module The first lines of `acoupi status`, for a person: is it recording and, if not, why;
 * the last and next recording in the deployment's time zone (named); the free disk; and the
 * outbox, or plainly that nothing will be sent when no messenger is configured. It reads the
 * status report and program.json as they are on disk, and loads no program.
 */
import { existsSync, statfsSync } from "node:fs";
import { dirname } from "node:path";
import { readJsonFile } from "../../../system/json-file.ts";
import { expandPath } from "../../../config/types.ts";
import { AcoupiError } from "../../../errors.ts";
import { programSections, type ProgramSections } from "../../../programs/program-sections.ts";
import type { StatusReport } from "../../../status/status-report.ts";
import type { AcoupiPaths } from "../../../system/paths.ts";

function verdict(report: StatusReport): string {
  const why = report.degraded.join("; ");
  switch (report.health) {
    case "ok":
      return report.recording.pausedBy ? `acoupi is running and healthy; recording is paused: ${report.recording.pausedBy}` : "acoupi is running and healthy";
    case "degraded":
      return `acoupi is running, but degraded: ${why}`;
    case "stopped":
      return report.deployment?.active ? `acoupi is stopped: the runner of "${report.deployment.name}" is not running (\`acoupi restart\` starts it)` : "acoupi is stopped: no deployment is active (`acoupi start` starts one)";
    case "crashed":
      return `acoupi crashed: the deployment "${report.deployment?.name ?? "?"}" is active but its runner is gone (\`acoupi restart\` starts it; \`acoupi logs\` says why)`;
    case "not responding":
      return `acoupi is not responding: its runner has not written its status for ${report.runner.statusAgeSeconds ?? "?"} s${why ? ` (${why})` : ""}`;
    case "not set up":
      return "acoupi is not set up: run `acoupi setup`";
    default:
      return `acoupi is ${report.health}${why ? `: ${why}` : ""}`;
  }
}

/** `2026-05-01 06:30:00 Europe/London`, in `zone`. */
export function zonedTime(iso: string, zone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const text = new Intl.DateTimeFormat("sv-SE", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(date);
  return `${text} ${zone}`;
}

function ago(iso: string, now: Date): string {
  const s = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  if (Math.abs(s) < 2) return "now";
  const span = (n: number) => (n < 120 ? `${n} s` : n < 7200 ? `${Math.round(n / 60)} min` : n < 172800 ? `${Math.round(n / 3600)} h` : `${Math.round(n / 86400)} days`);
  return s >= 0 ? `${span(s)} ago` : `in ${span(-s)}`;
}

function freeSpace(folder: string): string | null {
  let dir = folder;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  const total = stats.blocks * stats.bsize;
  return `${Math.floor(free / 1e6).toLocaleString("en-GB")} MB free of ${Math.floor(total / 1e6).toLocaleString("en-GB")} MB (${Math.round((100 * free) / Math.max(total, 1))}%), for ${folder}`;
}

function outbox(report: StatusReport, m: ProgramSections["messaging"]): string | null {
  const figures = report.status?.components.outbox;
  if (m === undefined && figures === undefined) return null;
  const none = figures ? figures.messenger === "none" : !m?.mqtt && !m?.http;
  const pending = typeof figures?.pending === "number" ? figures.pending : null;
  if (none) return `nothing will be sent: no messenger is configured (messaging.mqtt or messaging.http)${pending ? `; ${pending} messages kept` : ""}`;
  if (figures === undefined) return "no figures yet (the runner is not running)";
  const error = typeof figures.last_error === "string" ? `; last error: ${figures.last_error}` : "";
  return `${pending ?? 0} waiting, ${figures.delivered ?? 0} delivered, ${figures.failed ?? 0} failed${error}`;
}

/** The known sections of program.json as stored, or what stops them being read (shown as a line of its own). */
function storedSections(report: StatusReport, paths: AcoupiPaths): { sections: ProgramSections; problem: string | null } {
  if (!report.setUp || !existsSync(paths.programJson)) return { sections: {}, problem: null };
  try {
    return { sections: programSections(readJsonFile(paths.programJson), { program: report.program ?? undefined, file: paths.programJson }), problem: null };
  } catch (error) {
    if (!(error instanceof AcoupiError)) throw error;
    return { sections: {}, problem: error.message };
  }
}

/** The summary lines: the verdict, then aligned `name  value` lines. */
export function statusSummary(report: StatusReport, paths: AcoupiPaths, now: Date = new Date()): string[] {
  const { sections, problem } = storedSections(report, paths);
  const zone = sections.timezone ?? "UTC";
  const rows: Array<[string, string]> = [];
  if (problem !== null) rows.push(["Config", problem]);
  const { last, next, pausedBy } = report.recording;
  if (report.setUp) {
    rows.push(["Last recording", last ? `${zonedTime(last, zone)} (${ago(last, now)})` : "none yet"]);
    rows.push(["Next recording", next ? `${zonedTime(next, zone)} (${ago(next, now)})` : pausedBy ? `paused: ${pausedBy}` : "none expected"]);
    const folder = sections.paths?.recordings;
    if (folder !== undefined) {
      const disk = freeSpace(expandPath(folder));
      if (disk) rows.push(["Disk", disk]);
    }
    const box = outbox(report, sections.messaging);
    if (box) rows.push(["Outbox", box]);
  }
  const width = Math.max(0, ...rows.map(([name]) => name.length));
  return [verdict(report), ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`)];
}
