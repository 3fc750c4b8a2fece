/**
 * @module Loading a program.json written by acoupi 0.6 or its model packages (acoupi_birdnet,
 * acoupi_batdetect2). Their keys are ours, except for a few that these packages named
 * differently; each is moved to our key when the program has it, and every move is reported so
 * nothing changes unseen:
 * - `saving_filters` (the packages' saving window) → `recording_saving`;
 * - `model.detection_threshold` → `detections.message_threshold` and, when unset,
 *   `saving_managers.detection_threshold` (acoupi_birdnet used it for both);
 * - `saving_managers.bat_threshold` (acoupi_batdetect2) → `saving_managers.saving_threshold`;
 * - `saving_filters.saving_threshold` (acoupi_batdetect2's score filter) is dropped with a note:
 *   `saving_managers.saving_threshold` decides which recordings are deleted.
 * Keys that still do not fit are left for validation, which refuses them by name; a `detections`
 * that is not a section (a string, a list) is refused by key rather than replaced by defaults.
 * readJsonFile has already refused prototype keys and absurd nesting (json-tree.ts).
 */
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import { fieldAt } from "./walk.ts";

export interface Migrated {
  value: unknown;
  /** One line per key moved or dropped. */
  notes: string[];
}

type Tree = Record<string, unknown>;

function isTree(value: unknown): value is Tree {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describeJson(value: unknown): string {
  return Array.isArray(value) ? "a list" : value === null ? "null" : `a ${typeof value} (${JSON.stringify(value).slice(0, 40)})`;
}

function has(schema: z.ZodType, key: string): boolean {
  return fieldAt(schema, key.split(".")) !== null;
}

export function migrateAcoupi06(schema: z.ZodType, input: unknown): Migrated {
  if (!isTree(input)) return { value: input, notes: [] };
  const value: Tree = structuredClone(input);
  const notes: string[] = [];

  if ("saving_filters" in value && !has(schema, "saving_filters") && has(schema, "recording_saving") && !("recording_saving" in value)) {
    const filters = value.saving_filters;
    delete value.saving_filters;
    if (isTree(filters) && "saving_threshold" in filters) {
      notes.push(
        `dropped saving_filters.saving_threshold (${JSON.stringify(filters.saving_threshold)}): acoupi has no score filter among the saving windows; saving_managers.saving_threshold decides which recordings are deleted`,
      );
      delete filters.saving_threshold;
    }
    value.recording_saving = filters;
    notes.push("moved saving_filters → recording_saving");
  }

  const model = value.model;
  if (isTree(model) && "detection_threshold" in model && !has(schema, "model.detection_threshold")) {
    const threshold = model.detection_threshold;
    delete model.detection_threshold;
    if (has(schema, "detections.message_threshold")) {
      if (value.detections !== undefined && !isTree(value.detections)) {
        throw new ConfigError(`detections is ${describeJson(value.detections)}, but it must be a section of settings (an object), such as {"threshold": 0.5}`, {
          key: "detections",
          help: "Fix detections in the file: nothing was written",
        });
      }
      const detections = isTree(value.detections) ? value.detections : (value.detections = {});
      if (!("message_threshold" in (detections as Tree))) {
        (detections as Tree).message_threshold = threshold;
        notes.push("moved model.detection_threshold → detections.message_threshold");
      }
    }
    const managers = value.saving_managers;
    if (isTree(managers) && has(schema, "saving_managers.detection_threshold") && !("detection_threshold" in managers)) {
      managers.detection_threshold = threshold;
      notes.push("copied model.detection_threshold → saving_managers.detection_threshold");
    }
  }

  const managers = value.saving_managers;
  if (isTree(managers) && "bat_threshold" in managers && !has(schema, "saving_managers.bat_threshold")) {
    if (!("saving_threshold" in managers)) managers.saving_threshold = managers.bat_threshold;
    delete managers.bat_threshold;
    notes.push("moved saving_managers.bat_threshold → saving_managers.saving_threshold");
  }
  return { value, notes };
}
