/**
 * @module OnnxRangeModel: a geographic model that scores each species for a place and a week.
 * Two published shapes work, both fed float32 `[1, 3]` = (latitude, longitude, week 1–48 or −1):
 * - BirdNET's meta-model, one score per label of the classifier's own list (`range_filter.labels`
 *   unset);
 * - a geomodel with its own labels file (`range_filter.labels`), input `[batch, 3]`, one
 *   probability per label of that file.
 * Either way, a classifier label is matched to the range labels by scientific name, so the mask
 * is a map from scientific name to score. A classifier label with no match is never dropped, and
 * `check` says how many there are. A model whose output count differs from its labels is refused
 * with both numbers. The last few masks are cached, so on a sensor the model runs once a week.
 * Not safe to call concurrently (one ORT session); the detection queue runs one task at a time.
 */
import type { CheckReport } from "../../data/index.ts";
import { parseSpeciesLabel } from "../../data/species-label.ts";
import { ModelError } from "../../errors.ts";
import { loadLabels } from "../models/_labels.ts";
import type { OpenedSession } from "../models/_onnx-session.ts";
import { speciesKey } from "./types.ts";

export interface RangeModelConfig {
  /** The ONNX file (`range_filter.path`). */
  path: string;
  /** The model's own labels file (`range_filter.labels`), or null: the classifier's labels. */
  labels: string | null;
}

export interface RangeModelDeps {
  /** The classifier's labels (`model.labels`): a file or a list. */
  classifierLabels: string | readonly string[] | undefined;
}

/** One species' score for a place and week, in the order of the range model's labels. */
export interface RangeScore {
  label: string;
  scientific: string;
  common: string | null;
  score: number;
}

interface Loaded {
  opened: OpenedSession;
  input: string;
  output: string;
  labels: string[];
  labelsKey: string;
}

const CACHED_MASKS = 8;

export class OnnxRangeModel {
  #config: RangeModelConfig;
  #deps: RangeModelDeps;
  #loaded: Promise<Loaded> | null = null;
  #masks = new Map<string, Map<string, number>>();

  constructor(config: RangeModelConfig, deps: RangeModelDeps) {
    this.#config = config;
    this.#deps = deps;
  }

  async #labels(): Promise<{ labels: string[]; key: string }> {
    if (this.#config.labels !== null) return { labels: await loadLabels(this.#config.labels, "range_filter.labels"), key: "range_filter.labels" };
    if (this.#deps.classifierLabels === undefined) {
      throw new ModelError("The range filter has no labels: range_filter.labels is unset and the model has no model.labels", {
        help: "Set range_filter.labels to the range model's labels file",
      });
    }
    return { labels: await loadLabels(this.#deps.classifierLabels, "model.labels"), key: "model.labels" };
  }

  #load(): Promise<Loaded> {
    this.#loaded ??= (async () => {
      const { openSession } = await import("../models/_onnx-session.ts");
      const opened = await openSession(this.#config.path, "range_filter.path");
      const input = opened.inputs[0];
      const output = opened.outputs[0];
      if (input === undefined || output === undefined) throw new ModelError(`Range model "${this.#config.path}" has no input or no output`, { help: "Set range_filter.path to a range (meta) model" });
      const last = input.shape.at(-1);
      if (last !== null && last !== 3) {
        throw new ModelError(`Range model "${this.#config.path}" takes ${last} values per row, not 3 (latitude, longitude, week)`, {
          help: "Set range_filter.path to BirdNET's meta-model or a geomodel taking [batch, 3]",
        });
      }
      const { labels, key } = await this.#labels();
      const loaded = { opened, input: input.name, output: output.name, labels, labelsKey: key };
      const count = (await this.#run(loaded, 0, 0, -1)).length;
      if (count !== labels.length) {
        throw new ModelError(`Range model "${this.#config.path}" gives ${count} scores, but ${key} has ${labels.length} labels`, {
          help: `Set range_filter.path and ${key === "model.labels" ? "range_filter.labels" : key} to a model and the labels file made for it`,
        });
      }
      return loaded;
    })();
    this.#loaded.catch(() => {
      this.#loaded = null;
    });
    return this.#loaded;
  }

  async #run(loaded: Omit<Loaded, "labels"> & { labels?: string[] }, latitude: number, longitude: number, week: number): Promise<Float32Array> {
    const { ort, session } = loaded.opened;
    const tensor = new ort.Tensor("float32", Float32Array.from([latitude, longitude, week]), [1, 3]);
    try {
      const results = await session.run({ [loaded.input]: tensor }, [loaded.output]);
      const scores = results[loaded.output];
      if (scores === undefined || !(scores.data instanceof Float32Array)) {
        throw new ModelError(`Range model "${this.#config.path}" output "${loaded.output}" is not a float32 tensor`, { help: "Set range_filter.path to a range (meta) model" });
      }
      return scores.data;
    } catch (error) {
      if (error instanceof ModelError) throw error;
      throw new ModelError(`Range model "${this.#config.path}" failed: ${(error as Error).message}`, { help: "Run `acoupi check` to validate range_filter.path", cause: error });
    } finally {
      tensor.dispose();
    }
  }

  /** Every species of the range model with its score at this place and week, in label order. */
  async scores(latitude: number, longitude: number, week: number): Promise<RangeScore[]> {
    const loaded = await this.#load();
    const data = await this.#run(loaded, latitude, longitude, week);
    return loaded.labels.map((label, i) => {
      const { scientific, common } = parseSpeciesLabel(label);
      return { label, scientific, common, score: data[i] ?? 0 };
    });
  }

  /** Scientific name (lower case) → score at this place and week; cached. */
  async mask(latitude: number, longitude: number, week: number): Promise<Map<string, number>> {
    const key = `${latitude},${longitude},${week}`;
    const cached = this.#masks.get(key);
    if (cached !== undefined) return cached;
    const mask = new Map<string, number>();
    for (const s of await this.scores(latitude, longitude, week)) {
      const k = s.scientific.toLowerCase();
      mask.set(k, Math.max(mask.get(k) ?? 0, s.score));
    }
    if (this.#masks.size >= CACHED_MASKS) this.#masks.delete(this.#masks.keys().next().value as string);
    this.#masks.set(key, mask);
    return mask;
  }

  /** The classifier's labels that no range label matches by scientific name. */
  async unmatchedClassifierLabels(): Promise<string[]> {
    const loaded = await this.#load();
    if (this.#deps.classifierLabels === undefined) return [];
    const classifier = loaded.labelsKey === "model.labels" ? loaded.labels : await loadLabels(this.#deps.classifierLabels, "model.labels");
    const known = new Set(loaded.labels.map(speciesKey));
    return classifier.filter((label) => !known.has(speciesKey(label)));
  }

  async check(): Promise<CheckReport> {
    const loaded = await this.#load();
    const unmatched = await this.unmatchedClassifierLabels();
    const lines = [`Range model loaded from ${this.#config.path}: ${loaded.labels.length} species (${loaded.labelsKey})`];
    const warnings: string[] = [];
    if (unmatched.length > 0) {
      warnings.push(
        `${unmatched.length} of the classifier's labels match no species of the range model by scientific name (e.g. "${unmatched[0]}"): the range filter keeps them`,
      );
    } else {
      lines.push("Every classifier label matches a species of the range model");
    }
    return { subject: "range_filter", lines, warnings };
  }

  async close(): Promise<void> {
    const loaded = this.#loaded;
    this.#loaded = null;
    this.#masks.clear();
    if (loaded !== null) await (await loaded.catch(() => null))?.opened.session.release();
  }
}
