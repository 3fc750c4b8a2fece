/**
 * @module The draft of an interactive setup: every answer is written to
 * `config/setup-draft.json` (mode 0600, it can hold a password) as soon as it is given, so a
 * dropped SSH link, Ctrl-C or a bad value loses nothing. The next `acoupi setup` of the same
 * program offers to resume it; a successful setup removes it.
 */
import { existsSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../system/atomic-write.ts";
import type { AcoupiPaths } from "../system/paths.ts";
import { readJsonFile } from "../system/json-file.ts";

export interface SetupDraft {
  program: string;
  config: Record<string, unknown>;
  /** Dotted keys already answered. */
  answered: string[];
}

export function setupDraftFile(paths: AcoupiPaths): string {
  return join(paths.configDir, "setup-draft.json");
}

export function readSetupDraft(paths: AcoupiPaths): SetupDraft | null {
  const file = setupDraftFile(paths);
  if (!existsSync(file)) return null;
  const value = readJsonFile(file) as Partial<SetupDraft> | null;
  if (!value || typeof value.program !== "string" || typeof value.config !== "object" || value.config === null || !Array.isArray(value.answered)) return null;
  return { program: value.program, config: value.config, answered: value.answered.filter((k): k is string => typeof k === "string") };
}

export function writeSetupDraft(paths: AcoupiPaths, draft: SetupDraft): void {
  writeFileAtomic(setupDraftFile(paths), `${JSON.stringify(draft, null, 2)}\n`, 0o600);
}

export function removeSetupDraft(paths: AcoupiPaths): void {
  const file = setupDraftFile(paths);
  if (existsSync(file)) unlinkSync(file);
}
