/**
 * @module Finding the metadata database for reading: `--db` when given (a copy brought back from
 * the field), otherwise the configured program's `paths.db_metadata`. Stored paths are relative to
 * their root (see components/stores/_paths.ts): the roots are the configured folders, or for a
 * copy the `recordings/` folder beside it (or `--root`). Opening it read-only with those roots is
 * the store's (components/stores/queries/open-metadata.ts).
 */
import type { Database } from "bun:sqlite";
import { dirname, join, resolve } from "node:path";
import type { PathRoots } from "../components/stores/_paths.ts";
import { loadConfigured } from "../app/load-program.ts";
import { programSections, type ProgramSections } from "../programs/program-sections.ts";
import { StoreError } from "../errors.ts";
import { openMetadataReadonly } from "../components/stores/queries/open-metadata.ts";

/** The configured program's `paths` section; a StoreError when it has none (pass `--db` then). */
async function configuredPaths(): Promise<NonNullable<ProgramSections["paths"]>> {
  const { config, programName } = await loadConfigured();
  const paths = programSections(config, { program: programName }).paths;
  if (paths === undefined) {
    throw new StoreError("The configured program has no paths.db_metadata, so there is no metadata database to read", {
      help: "Pass the database file with --db PATH",
    });
  }
  return paths;
}

/** The metadata database path: the flag, or the configured program's `paths.db_metadata`. */
export async function metadataPath(flag?: string): Promise<string> {
  if (flag !== undefined && flag !== "") return resolve(flag);
  return (await configuredPaths()).db_metadata;
}

export interface MetadataSource {
  path: string;
  roots: PathRoots;
}

/** The database and the roots of its paths: `--db` with `--root` (or `recordings/` beside it), else the config's. */
export async function metadataSource(dbFlag?: string, rootFlag?: string): Promise<MetadataSource> {
  if (dbFlag !== undefined && dbFlag !== "") {
    const path = resolve(dbFlag);
    const root = rootFlag !== undefined && rootFlag !== "" ? resolve(rootFlag) : join(dirname(path), "recordings");
    return { path, roots: { recordings: root, tmp: join(dirname(path), "tmp") } };
  }
  const p = await configuredPaths();
  const recordings = typeof rootFlag === "string" && rootFlag !== "" ? resolve(rootFlag) : p.recordings;
  return { path: p.db_metadata, roots: { recordings, tmp: p.tmp_audio } };
}

/** Opens `--db` (or the configured database) read-only with its roots: what the report commands start with. */
export async function openMetadataSource(dbFlag?: string, rootFlag?: string): Promise<Database> {
  const source = await metadataSource(dbFlag, rootFlag);
  return openMetadataReadonly(source.path, source.roots);
}
