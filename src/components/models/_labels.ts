/**
 * @module A model's labels: given inline as a list, or as a text file with one label per line
 * (BirdNET's format). Blank lines and surrounding spaces are ignored. The file is read only when
 * it fits MAX_LABELS_BYTES (a Pi has little memory), and a label with a NUL or other control
 * character is refused by line: it would end up in messages and file names.
 */
import { ModelError } from "../../errors.ts";

/** BirdNET's 6522 labels take about 200 kB; 4 MB leaves room for any real list. */
export const MAX_LABELS_BYTES = 4 * 1024 * 1024;

// Control characters other than the line endings that split the file.
const CONTROL_RE = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/;

function controlCharacter(label: string): string | null {
  const m = CONTROL_RE.exec(label);
  return m ? `U+${(m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}` : null;
}

/** Resolves `labels` (config key `key`) to a list of at least one label. */
export async function loadLabels(labels: string | readonly string[], key: string): Promise<string[]> {
  if (typeof labels !== "string") {
    if (labels.length === 0) throw new ModelError(`The label list ${key} is empty`, { help: `Give ${key} at least one label` });
    labels.forEach((label, i) => {
      const bad = controlCharacter(label);
      if (bad) throw new ModelError(`Label ${i} of ${key} contains the control character ${bad}`, { help: "Labels are plain text: remove the character" });
    });
    return [...labels];
  }
  const file = Bun.file(labels);
  if (!(await file.exists())) {
    throw new ModelError(`Labels file "${labels}" (${key}) does not exist`, {
      help: `Set ${key} to a text file with one label per line, or to a list of labels`,
    });
  }
  if (file.size > MAX_LABELS_BYTES) {
    throw new ModelError(`Labels file "${labels}" (${key}) is ${file.size} bytes, over the limit of ${MAX_LABELS_BYTES} bytes`, {
      help: `Check that ${key} names the labels file (one label per line), not the model or a recording`,
    });
  }
  const lines = (await file.text()).split(/\r?\n/);
  lines.forEach((line, i) => {
    const bad = controlCharacter(line);
    if (bad) {
      throw new ModelError(`Labels file "${labels}" (${key}) line ${i + 1} contains the control character ${bad}`, {
        help: "Labels are plain text, one per line: remove the character, or save the file as UTF-8 text",
      });
    }
  });
  const list = lines.map((line) => line.trim()).filter((line) => line.length > 0);
  if (list.length === 0) {
    throw new ModelError(`Labels file "${labels}" (${key}) has no labels`, { help: "Write one label per line" });
  }
  return list;
}
