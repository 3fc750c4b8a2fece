/**
 * @module `acoupi storage`: a dry run of retention on the configured deployment. It shows the
 * space the recordings use against their ceiling and the filesystem's free space, what the policy
 * would delete next (in order), and how many days of recording the space holds at the current
 * schedule: before retention starts deleting, and until recording would pause. It deletes nothing.
 */
import { defineCommand } from "citty";
import { createConsola } from "consola/basic";
import { SqliteStore } from "../../components/stores/sqlite-store.ts";
import { ConfigError } from "../../errors.ts";
import { BasicConfigSchema } from "../../programs/templates/basic.ts";
import { systemClock } from "../../scheduler/clock.ts";
import { retentionTask } from "../../tasks/retention.ts";
import { parseTimeOfDay } from "../../time/time-of-day.ts";
import { sacrificeOrder } from "../../components/retention/retention-policy.ts";
import { fileBytes } from "../../components/retention/disk-usage.ts";
import { loadConfigured } from "../../app/load-program.ts";

const StorageViewSchema = BasicConfigSchema.pick({ storage: true, paths: true, recording: true, microphone: true, timezone: true });

const MB = 1_000_000;
const SHOWN = 10;

function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / MB).toFixed(1)} MB`;
}

/** Seconds of each day inside the recording schedule (an end before the start runs overnight). */
function scheduledSeconds(start: string, end: string): number {
  const s = parseTimeOfDay(start) ?? 0;
  const e = parseTimeOfDay(end) ?? 0;
  const span = (e - s + 86_400) % 86_400;
  return span === 0 ? 86_400 : span;
}

export default defineCommand({
  meta: { name: "storage", description: "Show disk usage, what retention would delete next, and how long the space lasts (dry run)" },
  args: { json: { type: "boolean", description: "Print the figures as JSON", default: false } },
  async run({ args }) {
    const { programName, config } = await loadConfigured();
    // Every section has defaults, so a program without them would parse: ask for the section itself.
    const hasSection = typeof config === "object" && config !== null && "storage" in config && "paths" in config;
    const parsed = StorageViewSchema.safeParse(config);
    if (!hasSection || !parsed.success) {
      throw new ConfigError(`The program "${programName}" has no storage section: it does not record`, {
        key: "storage",
        help: "Retention belongs to programs built on the basic template (default, connected, detection, birdnet)",
      });
    }
    const view = parsed.data;
    const bytesPerRecording = Math.ceil(view.recording.duration * view.microphone.samplerate * view.microphone.audio_channels * 2);
    const store = new SqliteStore({ db_metadata: view.paths.db_metadata }, { roots: { recordings: view.paths.recordings, tmp: view.paths.tmp_audio } });
    try {
      const retention = retentionTask({
        store,
        config: view.storage,
        folders: { recordings: view.paths.recordings, tmp: view.paths.tmp_audio },
        floorBytes: view.recording.min_free_mb * MB,
        recordingBytes: bytesPerRecording,
        clock: systemClock,
        logger: createConsola({ level: -999 }),
      });
      const { usage, needBytes, plan } = retention.plan();
      const candidates = store.listRetentionCandidates({ keepPerLabel: view.storage.keep_per_label });
      const deletable = sacrificeOrder(candidates, view.storage.order).reduce((sum, c) => sum + fileBytes(c.candidate.recording.path ?? ""), 0);
      const perDay = (scheduledSeconds(view.recording.schedule_start, view.recording.schedule_end) / view.recording.interval) * bytesPerRecording;
      const headroom = Math.max(0, Math.min(usage.ceiling - usage.used, usage.free - usage.minFree));
      const figures = {
        used_bytes: usage.used,
        ceiling_bytes: usage.ceiling,
        free_bytes: usage.free,
        min_free_bytes: usage.minFree,
        filesystem_bytes: usage.filesystem,
        need_bytes: needBytes,
        bytes_per_day: Math.round(perDay),
        days_before_deleting: perDay > 0 ? headroom / perDay : null,
        days_before_pausing: perDay > 0 ? (headroom + deletable) / perDay : null,
        deletable_bytes: deletable,
        next: (plan.length > 0 ? plan : sacrificeOrder(candidates, view.storage.order).slice(0, SHOWN).map((c) => ({ candidate: c.candidate, reason: c.group, bytes: fileBytes(c.candidate.recording.path ?? "") })))
          .slice(0, SHOWN)
          .map((p) => ({ path: p.candidate.recording.path, created_on: p.candidate.recording.created_on.toISOString(), reason: p.reason, bytes: p.bytes })),
        due_now: plan.length,
      };
      if (args.json) {
        process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
        return;
      }
      const out = [
        `Recordings use ${mb(usage.used)} of their ${mb(usage.ceiling)} ceiling (${view.storage.ceiling}); ${mb(usage.free)} free on the disk, ${mb(usage.minFree)} kept free`,
        `At the current schedule recording adds ${mb(perDay)} a day`,
        figures.days_before_deleting === null
          ? "The schedule records nothing"
          : `The space holds ${figures.days_before_deleting.toFixed(1)} days before retention deletes anything, and ${figures.days_before_pausing?.toFixed(1)} days before recording would pause (${mb(deletable)} may be deleted)`,
        plan.length > 0 ? `Retention would delete ${plan.length} recordings now:` : "Retention would delete nothing now; next in line:",
        ...figures.next.map((n) => `  ${n.created_on}  ${mb(n.bytes).padStart(9)}  ${n.reason.padEnd(13)}  ${n.path}`),
      ];
      if (figures.next.length === 0) out.push("  (nothing may be deleted)");
      process.stdout.write(`${out.join("\n")}\n`);
    } finally {
      store.close();
    }
  },
});
