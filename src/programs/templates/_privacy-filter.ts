/**
 * @module Wiring the privacy filter into a program (internal to the templates): the bundled Silero
 * VAD as a model every recording waits for, and the privacy task chained after the recording
 * task. The basic template calls it when `privacy.enabled`.
 */
import { SileroVadConfigSchema, SileroVadModel } from "../../components/models/silero-vad-model.ts";
import { BUNDLED_SILERO_VAD } from "../../components/privacy/bundled-vad.ts";
import type { PrivacyConfig } from "../../components/privacy/privacy-filter.ts";
import type { Store } from "../../components/stores/types.ts";
import { PRIVACY_TASK, RECORDING_TASK } from "../../tasks/names.ts";
import { privacyTask, type PrivacyTask } from "../../tasks/privacy.ts";
import type { ProgramContext } from "../program-context.ts";
import { releasePagesAgain } from "../../app/release-startup-pages.ts";
import { checkRatePaths } from "./_rate-check.ts";

/** The rate Silero VAD v5 reads (its 16 kHz variant). */
const SILERO_RATE = 16_000;

/** The model name of the privacy filter's outputs (an empty output marks a recording screened). */
export const PRIVACY_MODEL = "privacy_silero_vad";

/**
 * The privacy task after the recording task, on the `detection` queue when the program has one,
 * else on the recording queue (a program with no model has no detection worker; Silero takes
 * about 2.5% of real time on x86, which the capture ring absorbs).
 */
export function privacyFilter(ctx: ProgramContext, config: PrivacyConfig, store: Store, samplerate: number): PrivacyTask {
  const vadConfig = SileroVadConfigSchema.parse({
    path: config.model_path ?? BUNDLED_SILERO_VAD,
    name: PRIVACY_MODEL,
    threshold: config.threshold,
    threads: config.threads,
  });
  const vad = ctx.use("privacy_model", new SileroVadModel(vadConfig, { configKey: "privacy.model_path" }));
  ctx.requireModel(vad.name);
  ctx.onCheck(() => checkRatePaths([{ consumer: "the privacy screen", key: null, from: samplerate, to: SILERO_RATE }]));
  const privacy = privacyTask({ vad, store, config, clock: ctx.deps.clock, logger: ctx.deps.logger.withTag(PRIVACY_TASK), afterFirstScreen: () => releasePagesAgain() });
  ctx.addTask(privacy.run, { name: PRIVACY_TASK, schedule: { after: RECORDING_TASK }, queue: "detection" in ctx.queues ? "detection" : "recording" });
  ctx.onStatus("privacy", privacy.status);
  return privacy;
}
