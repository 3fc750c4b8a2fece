/**
 * @module The `birdnet` program: a preset of the detection program for the BirdNET v2.4 ONNX
 * model (48 kHz, 3 s windows, sigmoid, 6522 labels) with acoupi_birdnet's defaults: recording
 * 04:00–23:00, detections sent at 0.4, recordings kept from 0.2 and filed into "birds" and
 * "no_birds". No weights ship with acoupi (BirdNET's are CC BY-NC-SA): point `model.path` and
 * `model.labels` at your copy. It declares no field: it only chooses defaults.
 */
import { enabled, withDefaults } from "../src/config/with-defaults.ts";
import { defineProgram } from "../src/programs/define-program.ts";
import { DetectionProgramConfigSchema, detectionProgramTemplate } from "../src/programs/templates/detection-program.ts";
import { DETECTION_WORKERS } from "../src/programs/workers.ts";

export const BIRDNET_LABELS = 6522;

export const BirdnetConfigSchema = withDefaults(DetectionProgramConfigSchema, {
  recording: { schedule_start: "04:00:00", schedule_end: "23:00:00" },
  detections: { message_threshold: 0.4 },
  model: { name: "BirdNET", samplerate: 48000, window: 3, activation: "sigmoid", label_format: "scientific_common" },
  saving_managers: enabled({ true_dir: "birds", false_dir: "no_birds", detection_threshold: 0.4, saving_threshold: 0.2 }),
});

export default defineProgram({
  apiVersion: 1,
  name: "birdnet",
  description: "BirdNET v2.4 (ONNX) on every recording; bring your own model and labels files",
  configSchema: BirdnetConfigSchema,
  workers: DETECTION_WORKERS,
  setup: (config, ctx) => void detectionProgramTemplate(ctx, config),
});
