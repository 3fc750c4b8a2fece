/**
 * @module Models, the program API's `models`: any ONNX audio classifier or sound-event model
 * (`OnnxModel`), Silero VAD, the energy trigger and a trigger in front of a classifier, the model
 * a `model` section describes (`modelFromConfig`), and the schemas of those sections. Importing
 * this loads no ONNX runtime: a model loads it on its first `check` or `run`.
 */
export { EnergyTrigger, TriggerConfigSchema } from "./energy-trigger.ts";
export { ModelSectionSchema, modelFromConfig } from "./model-from-config.ts";
export { ModelConfigSchema, OnnxModel } from "./onnx-model.ts";
export { SileroVadConfigSchema, SileroVadModel } from "./silero-vad-model.ts";
export { TriggeredModel } from "./triggered-model.ts";
export type { Model } from "./types.ts";
