/**
 * @module The `birdnet` program: a preset of the detection program for the BirdNET v2.4 ONNX
 * model (48 kHz, 3 s windows, sigmoid, 6522 labels) with acoupi_birdnet's defaults: recording
 * 04:00–23:00, detections sent at 0.4, recordings kept from 0.2 and filed into "birds" and
 * "no_birds". No weights ship with acoupi (BirdNET's are CC BY-NC-SA): point `model.path` and
 * `model.labels` at your copy.
 */
import { z } from "zod";
import { ModelSectionSchema } from "../src/components/models/model-from-config.ts";
import { timeOfDay } from "../src/config/types.ts";
import { defineProgram } from "../src/programs/define-program.ts";
import { AudioConfigSchema } from "../src/programs/templates/basic.ts";
import { DetectionsSectionSchema } from "../src/programs/templates/detection.ts";
import { DETECTION_WORKERS } from "../src/programs/workers.ts";
import { DetectionProgramConfigSchema, savingManagersSchema, setupDetectionProgram } from "./detection.ts";

export const BIRDNET_LABELS = 6522;

export const BirdnetConfigSchema = DetectionProgramConfigSchema.extend({
  recording: AudioConfigSchema.extend({
    schedule_start: timeOfDay("04:00:00").describe("Start recording at this time of day (HH:MM:SS, in `timezone`)"),
    schedule_end: timeOfDay("23:00:00").describe("Stop recording at this time of day"),
  }).prefault({}),
  detections: DetectionsSectionSchema.extend({
    message_threshold: z.number().min(0).max(1).nullable().default(0.4).describe("Send detections scoring at least this"),
  }).prefault({}),
  model: ModelSectionSchema.extend({
    name: z.string().min(1).nullable().default("BirdNET").describe("Model name stored with each output"),
    samplerate: z.number().int().positive().default(48000).describe("BirdNET v2.4 expects 48 kHz"),
    window: z.number().positive().default(3).describe("BirdNET v2.4 analyses 3 s windows"),
    activation: z.enum(["none", "sigmoid", "softmax"]).default("sigmoid").describe("BirdNET's ONNX export outputs logits"),
  }),
  saving_managers: savingManagersSchema({ true_dir: "birds", false_dir: "no_birds", detection_threshold: 0.4, saving_threshold: 0.2 })
    .nullable()
    .prefault({})
    .describe("File recordings into birds / no_birds by detection confidence"),
});

export default defineProgram({
  name: "birdnet",
  description: "BirdNET v2.4 (ONNX) on every recording; bring your own model and labels files",
  configSchema: BirdnetConfigSchema,
  workers: DETECTION_WORKERS,
  setup: setupDetectionProgram,
});
