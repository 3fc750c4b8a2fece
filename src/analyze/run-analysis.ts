/**
 * @module One `acoupi analyze` run: count the files (for the bar), open the program once in this
 * process (its config and database are checked before any file is read), then walk the files
 * through one ProgramAnalyser here (`--jobs 1`) or N child processes, tally the results as they
 * come (nothing per file is kept, so a 10,000-file folder runs in bounded memory), and write the
 * export formats asked for from the database: every file of the analysis deployment in it, so a
 * resumed run exports the whole analysis, not just its last part.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { exportDetections } from "../report/export/export-detections.ts";
import type { ExportFormat } from "../report/export/types.ts";
import { openMetadataReadonly } from "../components/stores/queries/open-metadata.ts";
import type { ProgramDefinition } from "../programs/types.ts";
import { analyseInProcesses } from "./process-pool.ts";
import { AcoupiError } from "../errors.ts";
import { ANALYSIS_DEPLOYMENT_ID, isProgramFault, ProgramAnalyser, type AnalysisSpec, type FileResult } from "./program-analyser.ts";
import type { Progress, RunSummary } from "./progress.ts";
import { countWavFiles, wavFiles } from "./walk.ts";

export interface RunOptions {
  inputs: readonly string[];
  definition: ProgramDefinition;
  spec: AnalysisSpec;
  jobs: number;
  formats: readonly ExportFormat[];
  progress: Progress;
}

/** Per-recording formats go in a folder of their own; CSV and JSON lines are one file each. */
function exportFolder(outDir: string, format: ExportFormat): string {
  return format === "raven" || format === "audacity" ? join(outDir, format) : outDir;
}

export async function runAnalysis(options: RunOptions): Promise<RunSummary> {
  const { spec, progress } = options;
  const began = performance.now();
  const skip = [spec.outDir];
  const total = await countWavFiles(options.inputs, skip);
  const summary: RunSummary = { files: total, analysed: 0, skipped: 0, failed: 0, detections: 0, audioSeconds: 0, elapsedSeconds: 0, db: spec.dbPath, outDir: spec.outDir, exports: [] };
  let done = 0;
  const tally = (result: FileResult) => {
    done++;
    summary[result.status]++;
    summary.detections += result.detections;
    if (result.status === "analysed") summary.audioSeconds += result.audioSeconds;
    progress.file(result, done, Math.max(total, done));
  };

  const analyser = await ProgramAnalyser.open(options.definition, spec);
  progress.start({ files: total, db: spec.dbPath, outDir: spec.outDir, program: spec.programName, jobs: options.jobs });
  const files = wavFiles(options.inputs, skip);
  try {
    if (options.jobs <= 1) {
      try {
        for await (const path of files) tally(await analyser.analyse(path));
      } finally {
        await analyser.close();
      }
    } else {
      await analyser.close();
      await analyseInProcesses({ programName: spec.programName, config: spec.config, dbPath: spec.dbPath, outDir: spec.outDir, coordinates: spec.coordinates ?? null }, options.jobs, files, tally);
    }
  } catch (error) {
    if (!isProgramFault(error)) throw error;
    throw new AcoupiError(error.code, `Stopped after ${done} of ${total} files: ${error.message}`, {
      help: `${error.help === undefined ? "" : `${error.help}. `}What was analysed is kept in ${spec.dbPath}: the same command resumes`,
      cause: error,
    });
  }

  if (options.formats.length > 0) {
    const db = openMetadataReadonly(spec.dbPath);
    try {
      for (const format of options.formats) {
        const outDir = exportFolder(spec.outDir, format);
        mkdirSync(outDir, { recursive: true });
        const result = exportDetections(db, { deployment: ANALYSIS_DEPLOYMENT_ID }, { format, outDir });
        const exported = { format, rows: result.rows, files: result.files };
        summary.exports.push(exported);
        progress.exported(exported);
      }
    } finally {
      db.close();
    }
  }
  summary.elapsedSeconds = (performance.now() - began) / 1000;
  progress.done(summary);
  return summary;
}
