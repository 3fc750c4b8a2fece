/**
 * @module The `model` section of the detection programs: a generic ONNX model (OnnxModel: a
 * window classifier, or with `frames: peaks | segments` a sound-event detector) or, with
 * `kind: silero_vad`, the Silero voice-activity model whose recurrent state needs its own adapter.
 * The file only builds the model; nothing is loaded until its first run or check.
 */
import { z } from "zod";
import { appliesWhen, requiredWhen } from "../../config/markers.ts";
import { ConfigError } from "../../errors.ts";
import { hopOrOverlap } from "./_model-config.ts";
import { ModelConfigSchema, OnnxModel } from "./onnx-model.ts";
import { SileroVadConfigSchema, SileroVadModel } from "./silero-vad-model.ts";
import type { Model } from "./types.ts";
import { BUNDLED_SILERO_VAD } from "../privacy/bundled-vad.ts";

const shape = ModelConfigSchema.shape;

/** Setup asks a classifier's questions only for a classifier (the VAD knows its own tensors). */
const classifierOnly = <T extends z.ZodType>(schema: T): T => appliesWhen("kind", ["classifier"], schema);

export const ModelSectionSchema = z.object({
  kind: z.enum(["classifier", "silero_vad"]).default("classifier").describe("classifier: any ONNX audio classifier; silero_vad: Silero VAD v5"),
  // silero_vad without a path uses the Silero VAD bundled in the binary.
  path: requiredWhen("kind", "classifier", shape.path.optional()),
  labels: classifierOnly(requiredWhen("kind", "classifier", shape.labels.optional())),
  name: shape.name,
  samplerate: classifierOnly(requiredWhen("kind", "classifier", shape.samplerate.optional())),
  window: requiredWhen("kind", "classifier", shape.window.optional()),
  hop: classifierOnly(shape.hop),
  overlap: classifierOnly(shape.overlap),
  sensitivity: classifierOnly(shape.sensitivity),
  input: classifierOnly(shape.input),
  output: classifierOnly(shape.output),
  activation: classifierOnly(shape.activation),
  tag_key: shape.tag_key,
  batch: classifierOnly(shape.batch),
  threads: shape.threads,
  threshold: shape.threshold,
  frames: shape.frames,
  frame_step: shape.frame_step,
  min_gap: shape.min_gap,
  merge_gap: shape.merge_gap,
  label_format: shape.label_format,
  sha256: shape.sha256,
  label: z.string().min(1).nullable().default(null).describe("silero_vad only: the tag value of detections (default speech)"),
}).superRefine(hopOrOverlap);
export type ModelSection = z.output<typeof ModelSectionSchema>;

function parseOrExplain<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const key = `model.${issue?.path.map(String).join(".") ?? ""}`;
    throw new ConfigError(`Invalid model configuration: ${key}: ${issue?.message ?? "invalid"}`, {
      key,
      help: `Set it with \`acoupi config set ${key} <value>\``,
    });
  }
  return result.data;
}

export function modelFromConfig(section: ModelSection, threshold: number): Model {
  const { kind, label, ...rest } = section;
  if (kind === "silero_vad") {
    const config = parseOrExplain(SileroVadConfigSchema, {
      path: rest.path ?? BUNDLED_SILERO_VAD,
      name: rest.name,
      ...(rest.window === undefined ? {} : { window: rest.window }),
      threshold: rest.threshold ?? 0.5,
      threads: rest.threads,
      sha256: rest.sha256,
      tag_key: section.tag_key === "species" ? "sound" : section.tag_key,
      ...(label === null ? {} : { label }),
    });
    return new SileroVadModel(config);
  }
  return new OnnxModel(parseOrExplain(ModelConfigSchema, rest), { threshold });
}
