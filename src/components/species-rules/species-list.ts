/**
 * @module Species list files: one species a line, as its scientific name (`Turdus merula`) or the
 * model's full label (`Turdus merula_Eurasian Blackbird`); blank lines and lines starting with `#`
 * are skipped. Each entry keeps its line number, so a typo is named where it is: `check` refuses
 * an entry that matches none of the classifier's labels, because a list that silently matches
 * nothing would silently drop (or keep) a species.
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "../../errors.ts";
import { speciesKey } from "./types.ts";

/** A line of a species list or thresholds file. */
export interface ListEntry {
  /** The text as written (trimmed). */
  text: string;
  /** 1-based line in its file. */
  line: number;
}

/** Lists and threshold files are small; a bigger file is the wrong file. */
export const MAX_LIST_BYTES = 2 * 1024 * 1024;

/** The meaningful lines of `path` (config key `key`): trimmed, without blanks and `#` comments. */
export function readListLines(path: string, key: string): ListEntry[] {
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_LIST_BYTES) {
      throw new ConfigError(`The file "${path}" (${key}) is ${bytes.length} bytes, over the limit of ${MAX_LIST_BYTES}`, {
        key,
        help: `Check that ${key} names a species list (one species a line), not a model or a recording`,
      });
    }
    text = bytes.toString("utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Cannot read the file "${path}" (${key}): ${(error as Error).message}`, {
      key,
      help: `Set ${key} to a text file with one species a line, or \`acoupi config set ${key} null\` to turn it off`,
      cause: error,
    });
  }
  const entries: ListEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line !== "" && !line.startsWith("#")) entries.push({ text: line, line: i + 1 });
  });
  return entries;
}

/** A species list as a matcher: a label is in it when its full text or its scientific name is. */
export class SpeciesList {
  readonly path: string;
  readonly key: string;
  readonly entries: readonly ListEntry[];
  #labels = new Set<string>();
  #species = new Set<string>();

  constructor(path: string, key: string, entries: readonly ListEntry[]) {
    this.path = path;
    this.key = key;
    this.entries = entries;
    for (const entry of entries) {
      this.#labels.add(entry.text.toLowerCase());
      this.#species.add(speciesKey(entry.text));
    }
  }

  static read(path: string, key: string): SpeciesList {
    return new SpeciesList(path, key, readListLines(path, key));
  }

  has(label: string): boolean {
    return this.#labels.has(label.toLowerCase()) || this.#species.has(speciesKey(label));
  }

  /** The line where `label` is listed, for the reason of a drop. */
  lineOf(label: string): number | null {
    const species = speciesKey(label);
    const entry = this.entries.find((e) => e.text.toLowerCase() === label.toLowerCase() || speciesKey(e.text) === species);
    return entry?.line ?? null;
  }
}

/** Throws a ConfigError naming the first entries of `entries` (from `path`, key `key`) that match no label. */
export function assertEntriesMatch(entries: readonly ListEntry[], labels: readonly string[], path: string, key: string): void {
  const full = new Set(labels.map((l) => l.toLowerCase()));
  const species = new Set(labels.map(speciesKey));
  const unmatched = entries.filter((e) => !full.has(e.text.toLowerCase()) && !species.has(speciesKey(e.text)));
  if (unmatched.length === 0) return;
  const shown = unmatched.slice(0, 5).map((e) => `line ${e.line} "${e.text}"`).join(", ");
  const more = unmatched.length > 5 ? ` and ${unmatched.length - 5} more` : "";
  throw new ConfigError(`${unmatched.length} species in "${path}" (${key}) match none of the model's labels: ${shown}${more}`, {
    key,
    help: "Write each species as its scientific name (Turdus merula) or the full label from model.labels; check the spelling",
  });
}
