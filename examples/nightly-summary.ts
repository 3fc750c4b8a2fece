/**
 * @module An example external program with a custom task: the default program's recording and
 * filing (`templates.basic`), plus `daily_summary_task`, which writes one JSON line per run to
 * `summary.file` — how many recordings were made since the previous run (filed or still waiting
 * to be) and how many seconds of audio they hold. It runs at `summary.cron` (nightly by default, in the config's time zone),
 * and `acoupi task run daily_summary_task` runs it by hand. The line is written with an append
 * and an fsync, so a power cut never leaves half a line behind it.
 *
 *   acoupi setup --program ./examples/nightly-summary.ts --summary.file /data/summary.jsonl
 */
// A type-only import: erased when the binary loads this file, so nothing needs to be installed.
import type { ProgramApi } from "../src/programs/api.ts";
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";

export default (api: ProgramApi) => {
  const { z } = api;

  const configSchema = api.templates.BasicConfigSchema.extend({
    summary: z
      .object({
        file: api.markers.homePath("summaries/daily.jsonl").describe("JSON-lines file the summaries are appended to"),
        cron: z.string().min(1).default("5 0 * * *").describe("When to write a summary (cron, in `timezone`)"),
      })
      .prefault({}),
  });

  return api.defineProgram({
    apiVersion: 1,
    name: "nightly-summary",
    description: "Records like the default program and appends a daily summary line to a file",
    configSchema,
    workers: api.workers.DEFAULT_WORKERS,
    setup(config, ctx) {
      const basic = api.templates.basic(ctx, config);
      let since = ctx.deps.clock.now();
      let lines = 0;

      function daily_summary_task() {
        const now = ctx.deps.clock.now();
        // Every recording made in [since, now), whether it is filed yet or still waiting in temp.
        const made = (["saved", "temp"] as const)
          .flatMap((state) => basic.store.listRecordingsByState(state, { limit: 100000 }))
          .map((item) => item.recording)
          .filter((r) => r.created_on >= since && r.created_on < now);
        const line = {
          from: since.toISOString(),
          to: now.toISOString(),
          device_id: ctx.deps.deviceId,
          recordings: made.length,
          seconds: made.reduce((sum, r) => sum + r.duration, 0),
        };
        mkdirSync(dirname(config.summary.file), { recursive: true });
        const fd = openSync(config.summary.file, "a", 0o644);
        try {
          writeSync(fd, `${JSON.stringify(line)}\n`);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        since = now;
        lines++;
        return line;
      }

      ctx.addTask(daily_summary_task, { schedule: { cron: config.summary.cron } });
      ctx.onStatus("daily_summary", () => ({ figures: { lines, file: config.summary.file } }));
    },
  });
};
