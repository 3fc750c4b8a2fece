/**
 * @module A model's labels: given inline as a list, or as a text file with one label per line
 * (BirdNET's format). Blank lines and surrounding spaces are ignored.
 */
import { ModelError } from "../../errors.ts";

/** Resolves `labels` (config key `key`) to a list of at least one label. */
export async function loadLabels(labels: string | readonly string[], key: string): Promise<string[]> {
  if (typeof labels !== "string") {
    if (labels.length === 0) throw new ModelError(`The label list ${key} is empty`, { help: `Give ${key} at least one label` });
    return [...labels];
  }
  const file = Bun.file(labels);
  if (!(await file.exists())) {
    throw new ModelError(`Labels file "${labels}" (${key}) does not exist`, {
      help: `Set ${key} to a text file with one label per line, or to a list of labels`,
    });
  }
  const list = (await file.text())
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (list.length === 0) {
    throw new ModelError(`Labels file "${labels}" (${key}) has no labels`, { help: "Write one label per line" });
  }
  return list;
}
