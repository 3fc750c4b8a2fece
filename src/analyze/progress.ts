/**
 * @module How `acoupi analyze` reports as it goes. `--json`: one JSON event a line on stdout
 * (`start`, one `file` per file, one `export` per format, `done`), for scripts and GUIs; this is
 * not the `jsonl` export format, whose lines are detections. Otherwise a progress bar on stderr,
 * redrawn in place, only when stderr is a terminal; each failed file is named on stderr as it
 * fails, and a summary is printed on stdout at the end.
 */
import type { FileResult } from "./program-analyser.ts";

export interface ExportSummary {
  format: string;
  rows: number;
  files: string[];
}

export interface RunSummary {
  files: number;
  analysed: number;
  skipped: number;
  failed: number;
  detections: number;
  audioSeconds: number;
  elapsedSeconds: number;
  db: string;
  outDir: string;
  exports: ExportSummary[];
}

export interface Progress {
  start(info: { files: number; db: string; outDir: string; program: string; jobs: number }): void;
  file(result: FileResult, done: number, total: number): void;
  exported(summary: ExportSummary): void;
  done(summary: RunSummary): void;
}

function line(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

export function jsonProgress(): Progress {
  return {
    start: (info) => line({ event: "start", ...info }),
    file: (result, done, total) =>
      line({ event: "file", path: result.path, status: result.status, detections: result.detections, audio_s: result.audioSeconds, ...(result.error === undefined ? {} : { error: result.error }), done, total }),
    exported: (summary) => line({ event: "export", ...summary }),
    done: (s) =>
      line({
        event: "done",
        files: s.files,
        analysed: s.analysed,
        skipped: s.skipped,
        failed: s.failed,
        detections: s.detections,
        audio_s: s.audioSeconds,
        elapsed_s: s.elapsedSeconds,
        db: s.db,
      }),
  };
}

const BAR_WIDTH = 24;

function bar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The terminal form: a bar on stderr when it is a TTY, failures on stderr, the summary on stdout. */
export function terminalProgress(tty: boolean = process.stderr.isTTY === true): Progress {
  const began = performance.now();
  let audio = 0;
  let drawn = false;
  const clear = () => {
    if (drawn) process.stderr.write("\r\x1b[K");
    drawn = false;
  };
  return {
    start(info) {
      const jobs = info.jobs > 1 ? ` on ${info.jobs} processes` : "";
      process.stdout.write(`Analysing ${plural(info.files, "file")} with program "${info.program}"${jobs} into ${info.db}\n`);
    },
    file(result, done, total) {
      audio += result.status === "analysed" ? result.audioSeconds : 0;
      if (result.status === "failed") {
        clear();
        process.stderr.write(`Failed: ${result.error ?? result.path}\n`);
      }
      if (!tty) return;
      const seconds = (performance.now() - began) / 1000;
      const speed = seconds > 0 ? ` ${(audio / seconds).toFixed(1)} s of audio/s` : "";
      process.stderr.write(`\r\x1b[K${bar(done, total)} ${done}/${total} files${speed}`);
      drawn = true;
    },
    exported(summary) {
      clear();
      process.stdout.write(`Exported ${plural(summary.rows, "detection")} as ${summary.format} into ${plural(summary.files.length, "file")}\n`);
    },
    done(s) {
      clear();
      const speed = s.elapsedSeconds > 0 ? ` (${(s.audioSeconds / s.elapsedSeconds).toFixed(1)} s of audio per second)` : "";
      process.stdout.write(
        `${plural(s.analysed, "file")} analysed, ${s.skipped} skipped (already analysed), ${s.failed} failed: ` +
          `${plural(s.detections, "detection")} in ${s.audioSeconds.toFixed(1)} s of audio, in ${s.elapsedSeconds.toFixed(1)} s${speed}\n`,
      );
      process.stdout.write(`Metadata database: ${s.db}\n`);
      if (s.failed > 0) process.stderr.write(`${plural(s.failed, "file")} could not be analysed (named above); run the same command again to retry them\n`);
    },
  };
}
