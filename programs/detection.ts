/**
 * @module The `detection` program: the connected program plus an ONNX model on every
 * recording. It works with any ONNX audio classifier described in its `model` section (or Silero
 * VAD with `model.kind: silero_vad`); detections at or above `detections.threshold` are stored
 * and, when a messenger is configured, sent as acoupi detection messages.
 */
import { withDefaults } from "../src/config/with-defaults.ts";
import { defineProgram } from "../src/programs/define-program.ts";
import { DetectionProgramConfigSchema, detectionProgramTemplate } from "../src/programs/templates/detection-program.ts";
import { DETECTION_WORKERS } from "../src/programs/workers.ts";

export const DetectionConfigSchema = withDefaults(DetectionProgramConfigSchema, {
  saving_managers: { true_dir: "detections", false_dir: "no_detections", detection_threshold: 0.5, saving_threshold: 0.2 },
});

export default defineProgram({
  apiVersion: 1,
  name: "detection",
  description: "Records, runs an ONNX model on each recording, and reports detections",
  configSchema: DetectionConfigSchema,
  workers: DETECTION_WORKERS,
  setup: (config, ctx) => void detectionProgramTemplate(ctx, config),
});
