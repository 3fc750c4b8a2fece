/**
 * @module `acoupi analyze PATH... [--program P] [--out DIR] [--format raven,csv,audacity,jsonl]
 * [--db FILE] [--jobs N] [--json] [--latitude L --longitude L] [--<config.key> VALUE …]`: runs a program's detection stack,
 * the one the sensor runs, over WAV and RF64 files and folders (src/analyze/). Without
 * `--program` it takes the configured program and its program.json; with `--program` that
 * program's defaults, or program.json when it names the configured program. Dotted flags
 * override either, as in `setup`. Detections go to `<out>/metadata.db` (or `--db`), never to
 * the sensor's database unless `--db` names it. `--latitude` and `--longitude` say where the files
 * were recorded (the range filter needs them; each file's week comes from its date). Exit code 1
 * when some file failed.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineCommand } from "citty";
import { parseConfigArgs, deepMerge } from "../../config/args.ts";
import { isSetUp, readProgramConfig, readProgramName } from "../../config/config-file.ts";
import { readJsonFile } from "../../system/json-file.ts";
import { validateConfig } from "../../config/validate.ts";
import { AcoupiError, ConfigError } from "../../errors.ts";
import { EXPORT_FORMATS, type ExportFormat } from "../../report/export/types.ts";
import { acoupiPaths, type AcoupiPaths } from "../../system/paths.ts";
import { programs, resolveDeviceId } from "../../app/load-program.ts";
import { programSections } from "../../programs/program-sections.ts";

export const DEFAULT_OUT_DIR = "acoupi-analysis";

/** analyze's own flags: they are not config keys. The rest of `--x.y v` goes to the program config. */
const VALUE_FLAGS = new Set(["out", "format", "db", "jobs", "program", "config", "latitude", "longitude"]);
const SWITCHES = new Set(["json", "worker"]);
/** Flags of every command that take no value. */
const ALONE = new Set(["verbose", "help", "h"]);

function configArgv(rawArgs: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i] as string;
    const name = arg.startsWith("--") ? arg.slice(2).split("=")[0] ?? "" : "";
    if (VALUE_FLAGS.has(name)) {
      if (!arg.includes("=")) i++;
      continue;
    }
    if (SWITCHES.has(name) || (name.startsWith("no-") && SWITCHES.has(name.slice(3)))) continue;
    kept.push(arg);
  }
  return kept;
}

/** The PATH arguments: what no flag took as its value (`--key value`, `--key=value`, switches alone). */
function positionals(rawArgs: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i] as string;
    if (!arg.startsWith("-")) {
      found.push(arg);
      continue;
    }
    const name = arg.replace(/^--?/, "").split("=")[0] ?? "";
    if (arg.includes("=") || SWITCHES.has(name) || ALONE.has(name) || (name.startsWith("no-") && SWITCHES.has(name.slice(3)))) continue;
    const next = rawArgs[i + 1];
    if (next !== undefined && !next.startsWith("--")) i++;
  }
  return found;
}

function parseFormats(value: string | undefined): ExportFormat[] {
  if (value === undefined || value === "") return [];
  const formats = value.split(",").map((f) => f.trim().toLowerCase()).filter((f) => f !== "");
  for (const format of formats) {
    if (!EXPORT_FORMATS.includes(format as ExportFormat)) {
      throw new ConfigError(`Unknown export format "${format}": use one or more of ${EXPORT_FORMATS.join(", ")}, separated by commas`, { key: "format" });
    }
  }
  return [...new Set(formats)] as ExportFormat[];
}

function parseJobs(value: string | undefined): number {
  const jobs = Number(value ?? "1");
  if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64) {
    throw new ConfigError(`--jobs must be a whole number from 1 to 64, got "${value}"`, { key: "jobs", help: "Give the number of files to analyse at once, e.g. --jobs 2 on a two-core laptop" });
  }
  return jobs;
}

function parseCoordinate(value: string | undefined, flag: "latitude" | "longitude"): number | null {
  if (value === undefined || value === "") return null;
  const limit = flag === "latitude" ? 90 : 180;
  const n = Number(value);
  if (!Number.isFinite(n) || Math.abs(n) > limit) {
    throw new ConfigError(`--${flag} must be a number from -${limit} to ${limit}, got "${value}"`, { key: flag, help: "Give decimal degrees, e.g. --latitude 51.5 --longitude -0.1" });
  }
  return n;
}

/** `--latitude` and `--longitude` together, or neither; a program whose filters need them refuses to run without. */
function coordinatesFor(args: { latitude?: string; longitude?: string }, needing: readonly string[]): { latitude: number; longitude: number } | null {
  const latitude = parseCoordinate(args.latitude, "latitude");
  const longitude = parseCoordinate(args.longitude, "longitude");
  if ((latitude === null) !== (longitude === null)) {
    throw new ConfigError(`Give both --latitude and --longitude, not only --${latitude === null ? "longitude" : "latitude"}`, { key: latitude === null ? "latitude" : "longitude" });
  }
  if (latitude === null || longitude === null) {
    if (needing.length > 0) {
      throw new ConfigError(`${needing.join(" and ")} ${needing.length > 1 ? "need" : "needs"} the place the files were recorded, and no --latitude and --longitude were given`, {
        key: needing[0] as string,
        help: "Add e.g. `--latitude 51.5 --longitude -0.1`, or switch the filter off with `--range_filter.enabled false`",
      });
    }
    return null;
  }
  return { latitude, longitude };
}

/** The output folder, created; a path that names an existing file is refused by name. */
function outputFolder(given: string): string {
  const outDir = resolve(given);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new ConfigError(`--out "${given}" is an existing file, not a folder: analyze writes a metadata database and exports into a folder`, {
      key: "out",
      help: `Give a folder that does not exist yet or is one, e.g. --out ${DEFAULT_OUT_DIR}`,
    });
  }
  mkdirSync(outDir, { recursive: true });
  return outDir;
}

/** program.json's `paths.db_metadata`; null when unset, or when the file cannot be read (analysing with `--program` must not need it). */
function configuredDbPath(paths: AcoupiPaths): string | null {
  try {
    return programSections(readJsonFile(paths.programJson), { file: paths.programJson }).paths?.db_metadata ?? null;
  } catch (error) {
    if (!(error instanceof AcoupiError)) throw error;
    return null; // A broken program.json is reported by the commands that use it; the default path is still guarded.
  }
}

/** `--out` pointing at the sensor's storage folder must not make analyze write its database unasked. */
function refuseSensorDatabase(dbPath: string, paths: AcoupiPaths, out: string): void {
  const configuredDb = isSetUp(paths) ? configuredDbPath(paths) : null;
  const sensorDbs = [join(paths.home, "storages/metadata.db"), ...(configuredDb === null ? [] : [resolve(configuredDb)])];
  if (sensorDbs.includes(dbPath)) {
    throw new ConfigError(`--out "${out}" holds the sensor's own metadata database (${dbPath}); analyze writes it only when --db names it`, {
      key: "out",
      help: `Give another folder, e.g. --out ${DEFAULT_OUT_DIR}, or --db ${dbPath} to add the detections to the sensor's database`,
    });
  }
}

export default defineCommand({
  meta: {
    name: "analyze",
    description: "Run the program's detection stack over WAV files and folders: `acoupi analyze ./card --out ./results --format raven`",
  },
  args: {
    path: { type: "positional", description: "WAV/RF64 files and folders (any number; folders are walked for *.wav)", required: false },
    program: { type: "string", description: "Program to run (default: the configured one); dotted flags such as --model.path override its config" },
    out: { type: "string", description: "Folder for the metadata database and the exports", default: DEFAULT_OUT_DIR },
    format: { type: "string", description: `Export formats, comma-separated: ${EXPORT_FORMATS.join(", ")}` },
    db: { type: "string", description: "Metadata database to write (default <out>/metadata.db); files already analysed into it are skipped" },
    jobs: { type: "string", description: "Files analysed at once, each in its own process", default: "1" },
    latitude: { type: "string", description: "Where the files were recorded, for the range filter (decimal degrees)" },
    longitude: { type: "string", description: "Where the files were recorded, for the range filter (decimal degrees)" },
    json: { type: "boolean", description: "Progress as JSON events on stdout, one a line" },
    worker: { type: "boolean", description: "Internal: serve a parent's --jobs (reads its job on stdin)" },
  },
  async run({ args, rawArgs }) {
    const paths = acoupiPaths();
    if (args.worker === true) {
      const { serveWorker } = await import("../../analyze/process-pool.ts");
      const { ProgramAnalyser } = await import("../../analyze/program-analyser.ts");
      await serveWorker(async (job) => {
        const definition = await programs.load(job.programName);
        return ProgramAnalyser.open(definition, { ...job, paths, deviceId: resolveDeviceId(paths) });
      });
      return;
    }
    const inputs = positionals(rawArgs);
    if (inputs.length === 0) {
      throw new ConfigError("Give the WAV files or folders to analyse: `acoupi analyze PATH...`", { help: "For example `acoupi analyze ./SD_CARD --out ./results --format raven`" });
    }
    const formats = parseFormats(args.format);
    const jobs = parseJobs(args.jobs);
    const configured = isSetUp(paths) ? readProgramName(paths) : null;
    const programName = args.program === undefined ? configured : programs.canonical(args.program);
    if (programName === null) {
      throw new ConfigError("No program to analyse with: acoupi is not set up and no --program was given", {
        help: "Pass one, e.g. `acoupi analyze ./recordings --program detection --model.path model.onnx --model.labels labels.txt --model.samplerate 48000 --model.window 3`",
      });
    }
    const definition = await programs.load(programName);
    const base = programName === configured ? readProgramConfig(paths, definition.configSchema) : {};
    const overrides = parseConfigArgs(definition.configSchema, configArgv(rawArgs));
    const config = validateConfig(definition.configSchema, deepMerge(base, overrides), {
      source: programName === configured ? `${paths.programJson} and the arguments` : "the arguments",
      help: `Give the value as an argument, such as \`acoupi analyze PATH --program ${programName} --<key> <value>\``,
    });
    const { keysNeedingCoordinates } = await import("../../config/coordinates.ts");
    const coordinates = coordinatesFor(args, keysNeedingCoordinates(definition.configSchema, config).filter((key) => key.startsWith("range_filter.")));
    const outDir = outputFolder(args.out);
    const dbPath = args.db === undefined || args.db === "" ? join(outDir, "metadata.db") : resolve(args.db);
    if (args.db === undefined) refuseSensorDatabase(dbPath, paths, args.out);

    const { runAnalysis } = await import("../../analyze/run-analysis.ts");
    const { jsonProgress, terminalProgress } = await import("../../analyze/progress.ts");
    const summary = await runAnalysis({
      inputs,
      definition,
      spec: { programName, config, dbPath, outDir, paths, deviceId: resolveDeviceId(paths), coordinates },
      jobs,
      formats,
      progress: args.json === true ? jsonProgress() : terminalProgress(),
    });
    if (summary.failed > 0) process.exitCode = 1;
  },
});
