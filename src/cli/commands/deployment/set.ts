/**
 * @module `acoupi deployment set --name … --latitude … --longitude …`: corrects the active
 * deployment's name or coordinates without ending it (a typo, a GPS fix taken later). The
 * deployment file and its row in the metadata database are updated, and the correction is
 * recorded, with what it replaced, in `config/deployment-corrections.jsonl`. A running runner
 * files new recordings under the corrected values after `acoupi restart`.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { defineCommand } from "citty";
import { SqliteStore } from "../../../components/stores/sqlite-store.ts";
import { DeploymentError } from "../../../errors.ts";
import { activeDeployment, writeDeployment } from "../../../system/deployment-file.ts";
import { readLivePid } from "../../../system/pidfile.ts";
import { loadConfigured } from "../../../app/load-program.ts";
import { programSections } from "../../../programs/program-sections.ts";
import { parseCoordinate } from "./_coordinates.ts";

export default defineCommand({
  meta: { name: "set", description: "Correct the active deployment's name or coordinates: `acoupi deployment set --latitude 51.51`" },
  args: {
    name: { type: "string", description: "The corrected name" },
    latitude: { type: "string", description: "The corrected latitude, in degrees" },
    longitude: { type: "string", description: "The corrected longitude, in degrees" },
  },
  async run({ args }) {
    const { paths, config, programName } = await loadConfigured();
    const sections = programSections(config, { program: programName });
    const current = activeDeployment(paths);
    if (current === null) throw new DeploymentError("No deployment is active, so there is none to correct", { help: "Run `acoupi start --name … --latitude … --longitude …` to start one" });
    if (args.name === undefined && args.latitude === undefined && args.longitude === undefined) {
      throw new DeploymentError("Nothing to correct: give --name, --latitude or --longitude", { help: "For example `acoupi deployment set --latitude 51.51 --longitude -0.12`" });
    }
    if (args.name !== undefined && args.name.trim() === "") throw new DeploymentError("The deployment name cannot be empty", { help: "Give a name such as --name site-1" });
    const corrected = {
      ...current,
      name: args.name?.trim() ?? current.name,
      latitude: args.latitude === undefined ? current.latitude : parseCoordinate(args.latitude, "latitude", 90),
      longitude: args.longitude === undefined ? current.longitude : parseCoordinate(args.longitude, "longitude", 180),
    };
    const db = sections.paths?.db_metadata;
    if (db !== undefined) {
      const store = new SqliteStore({ db_metadata: db });
      try {
        // A deployment whose runner has not filed a recording yet has no row; the runner adds it.
        if (store.getCurrentDeployment()?.id === current.id) store.updateDeployment(corrected);
      } finally {
        store.close();
      }
    }
    writeDeployment(paths, corrected);
    const record = { corrected_on: new Date().toISOString(), deployment: current.id, before: { name: current.name, latitude: current.latitude, longitude: current.longitude }, after: { name: corrected.name, latitude: corrected.latitude, longitude: corrected.longitude } };
    appendFileSync(join(paths.configDir, "deployment-corrections.jsonl"), `${JSON.stringify(record)}\n`, { mode: 0o644 });
    const changed = (["name", "latitude", "longitude"] as const).filter((k) => current[k] !== corrected[k]).map((k) => `  ${k}: ${JSON.stringify(current[k])} → ${JSON.stringify(corrected[k])}`);
    process.stdout.write(changed.length > 0 ? `Corrected the deployment "${current.name}":\n${changed.join("\n")}\n` : "The deployment already had these values\n");
    if (changed.length > 0 && readLivePid(paths.pidFile) !== null) process.stdout.write("The runner files new recordings with them after `acoupi restart`\n");
  },
});
