/**
 * @module `acoupi species [--latitude L --longitude L] [--week W] [--all] [--json]`: the species
 * list the range filter allows at a place and week, with each species' score, highest first.
 * The place defaults to the active deployment's coordinates and the week to the current BirdNET
 * week (1–48; −1 for the whole year). It runs the configured `range_filter` model with its
 * `range_filter.threshold`. `--all` lists the species below the threshold too.
 */
import { defineCommand } from "citty";
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { z } from "zod";
import { birdnetWeek, isBirdnetWeek } from "../../components/species-rules/birdnet-week.ts";
import { RangeFilterConfigSchema } from "../../components/species-rules/range-filter.ts";
import type { RangeScore } from "../../components/species-rules/range-model.ts";
import { latestDeploymentCoordinates } from "../../components/stores/queries/deployments.ts";
import { describeIssue } from "../../config/validate.ts";
import { ConfigError } from "../../errors.ts";
import { renderTable, type Column } from "../../report/table.ts";
import { loadConfigured } from "../../app/load-program.ts";
import { programSections } from "../../programs/program-sections.ts";

/** The detection programs' sections this command reads besides the known ones (programSections). */
const RangeView = z.object({
  range_filter: RangeFilterConfigSchema.optional(),
  model: z.object({ labels: z.union([z.string(), z.array(z.string())]).optional() }).optional(),
});

function number(value: string | undefined, flag: string, ok: (n: number) => boolean, expected: string): number | null {
  if (value === undefined || value === "") return null;
  const n = Number(value);
  if (!Number.isFinite(n) || !ok(n)) throw new ConfigError(`--${flag} must be ${expected}, got "${value}"`, { key: flag });
  return n;
}

/** The coordinates of the latest deployment in the metadata database, if it has them. */
function deploymentCoordinates(dbPath: string | undefined): { latitude: number; longitude: number } | null {
  if (dbPath === undefined || !existsSync(dbPath)) return null;
  const db = new Database(dbPath, { readonly: true });
  try {
    return latestDeploymentCoordinates(db);
  } finally {
    db.close();
  }
}

const COLUMNS: Column<RangeScore>[] = [
  { title: "SCORE", value: (s) => s.score.toFixed(3), align: "right" },
  { title: "SCIENTIFIC NAME", value: (s) => s.scientific },
  { title: "COMMON NAME", value: (s) => s.common ?? "" },
];

export default defineCommand({
  meta: { name: "species", description: "The species the range filter allows at a place and week: `acoupi species --latitude 51.5 --longitude -0.1 --week 20`" },
  args: {
    latitude: { type: "string", description: "Latitude in decimal degrees (default: the active deployment's)" },
    longitude: { type: "string", description: "Longitude in decimal degrees (default: the active deployment's)" },
    week: { type: "string", description: "BirdNET week 1–48 (four a month), or -1 for the whole year (default: this week)" },
    all: { type: "boolean", description: "Also list the species below range_filter.threshold" },
    json: { type: "boolean", description: "Print one JSON object" },
  },
  async run({ args }) {
    const { config, programName } = await loadConfigured();
    const view = RangeView.safeParse(config);
    if (!view.success) {
      throw new ConfigError(`The config of program "${programName}" has a range_filter or model section of another shape: ${view.error.issues.map(describeIssue).join("; ")}`, {
        key: view.error.issues[0]?.path.map(String).join("."),
        help: "Give them the shape of the detection programs' sections (see docs/configuration.md)",
      });
    }
    const section = view.data.range_filter;
    if (section === undefined || section.path === null) {
      throw new ConfigError("No range model is configured: range_filter.path is not set", {
        key: "range_filter.path",
        help: "Set it with `acoupi config set range_filter.path <meta-model.onnx>` (and range_filter.labels for a geomodel with its own labels)",
      });
    }
    let latitude = number(args.latitude, "latitude", (n) => Math.abs(n) <= 90, "a latitude from -90 to 90");
    let longitude = number(args.longitude, "longitude", (n) => Math.abs(n) <= 180, "a longitude from -180 to 180");
    if (latitude === null || longitude === null) {
      const active = deploymentCoordinates(programSections(config, { program: programName }).paths?.db_metadata);
      if (active === null) {
        throw new ConfigError("No place to list species for: give --latitude and --longitude (the deployment has no coordinates)", {
          key: latitude === null ? "latitude" : "longitude",
          help: "For example `acoupi species --latitude 51.5 --longitude -0.1 --week 20`",
        });
      }
      latitude ??= active.latitude;
      longitude ??= active.longitude;
    }
    const week = number(args.week, "week", isBirdnetWeek, "a BirdNET week from 1 to 48, or -1 for the whole year") ?? birdnetWeek(new Date());
    const { OnnxRangeModel } = await import("../../components/species-rules/range-model.ts");
    const model = new OnnxRangeModel({ path: section.path, labels: section.labels }, { classifierLabels: view.data.model?.labels });
    try {
      const scores = (await model.scores(latitude, longitude, week)).sort((a, b) => b.score - a.score);
      const allowed = scores.filter((s) => s.score >= section.threshold);
      const shown = args.all === true ? scores : allowed;
      if (args.json === true) {
        const result = { latitude, longitude, week, threshold: section.threshold, allowed: allowed.length, total: scores.length, species: shown };
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      process.stdout.write(`${allowed.length} of ${scores.length} species allowed at ${latitude}, ${longitude} in week ${week} (range_filter.threshold ${section.threshold})\n`);
      if (shown.length > 0) process.stdout.write(renderTable(COLUMNS, shown));
    } finally {
      await model.close();
    }
  },
});
