/**
 * @module The privacy task: screens every recording for human speech with Silero VAD before any
 * other model, message builder or file manager sees it. It chains after the recording task
 * (`after: RECORDING_TASK`) and the program's models chain after it (`after: PRIVACY_TASK`): it
 * returns the recording when it may go on, and nothing when it was a speech recording, which
 * ends the chain, so no detection, summary or clip message is ever built for it.
 *
 * A speech recording is deleted (file unlinked first, then the row marked discarded with no
 * path, so a crash between leaves a row marked missing, never a file), or with `action: mute`
 * its speech spans are zeroed and it goes on. It fails closed: a recording the VAD cannot read
 * is deleted as if it held speech. A clean recording gets an empty model output under the VAD's
 * name, which is what file management waits for (`ctx.requireModel`), so nothing is filed
 * before it was screened. Counts are kept per day (UTC) in status and heartbeats.
 */
import { existsSync, unlinkSync } from "node:fs";
import type { ConsolaInstance } from "consola";
import type { SileroVadModel } from "../components/models/silero-vad-model.ts";
import { muteSpeech } from "../components/privacy/mute-speech.ts";
import { speechSeconds, speechSpans, type PrivacyConfig } from "../components/privacy/privacy-filter.ts";
import type { ModelOutputStore, RecordingStore } from "../components/stores/types.ts";
import type { ComponentStatus } from "../data/component-status.ts";
import type { Metric, ModelOutput, Recording } from "../data/index.ts";
import type { Clock } from "../scheduler/clock.ts";

export interface PrivacyTaskDeps {
  vad: Pick<SileroVadModel, "name" | "speechProbabilities">;
  store: RecordingStore & Pick<ModelOutputStore, "storeModelOutputs">;
  config: PrivacyConfig;
  clock: Clock;
  logger: ConsolaInstance;
  /** Called once, after the first recording was screened (the runner then gives back the pages ORT's loading touched). */
  afterFirstScreen?: () => void;
}

export interface PrivacyTask {
  /** The recording when it may go on (clean, or muted); undefined when it was deleted. */
  run: (recording: Recording) => Promise<Recording | undefined>;
  status: () => ComponentStatus;
  metrics: () => Metric[];
}

export function privacyTask(deps: PrivacyTaskDeps): PrivacyTask {
  const { config } = deps;
  let screened = 0;
  let dropped = 0;
  let muted = 0;
  let failedClosed = 0;
  let day = "";
  let droppedToday = 0;
  let mutedToday = 0;

  function countToday(kind: "dropped" | "muted"): void {
    const today = deps.clock.now().toISOString().slice(0, 10);
    if (today !== day) {
      day = today;
      droppedToday = 0;
      mutedToday = 0;
    }
    if (kind === "dropped") droppedToday++;
    else mutedToday++;
  }

  function drop(recording: Recording, why: string): undefined {
    if (recording.path !== null && existsSync(recording.path)) unlinkSync(recording.path);
    deps.store.updateRecordingPath(recording, null, "discarded");
    dropped++;
    countToday("dropped");
    deps.logger.info(`Deleted recording ${recording.id}: ${why}`);
    return undefined;
  }

  function screenedOutput(recording: Recording): ModelOutput {
    return { id: crypto.randomUUID(), name_model: deps.vad.name, recording, detections: [], created_on: deps.clock.now() };
  }

  async function privacy_task(recording: Recording): Promise<Recording | undefined> {
    if (recording.path === null) return undefined;
    screened++;
    let frames: { frameSeconds: number; probabilities: Float32Array };
    try {
      frames = await deps.vad.speechProbabilities(recording.path, recording.time_expansion);
    } catch (error) {
      failedClosed++;
      deps.logger.error(`The privacy filter cannot screen ${recording.path}; deleting it unheard:`, error);
      return drop(recording, "the privacy filter could not screen it");
    }
    if (screened === 1) deps.afterFirstScreen?.();
    const seconds = speechSeconds(frames.probabilities, frames.frameSeconds, config.threshold);
    if (seconds >= config.min_speech_s && seconds > 0) {
      if (config.action === "delete") return drop(recording, `${seconds.toFixed(2)} s of speech`);
      const spans = speechSpans(frames.probabilities, frames.frameSeconds, config.threshold, recording.duration);
      muteSpeech(recording.path, spans, recording.time_expansion);
      muted++;
      countToday("muted");
      deps.logger.info(`Muted ${spans.length} speech spans (${seconds.toFixed(2)} s) in recording ${recording.id}`);
    }
    deps.store.storeModelOutputs([screenedOutput(recording)]);
    return recording;
  }

  return {
    run: privacy_task,
    status: () => ({
      degraded: failedClosed > 0 ? `the privacy filter failed on ${failedClosed} recordings (deleted unheard)` : null,
      figures: {
        screened,
        speech_dropped: dropped,
        speech_muted: muted,
        day: day || null,
        speech_dropped_today: droppedToday,
        speech_muted_today: mutedToday,
        failed_closed: failedClosed,
      },
    }),
    metrics() {
      const now = deps.clock.now();
      const today = now.toISOString().slice(0, 10) === day;
      return [
        { name: "privacy_speech_dropped", value: dropped, unit: "count", captured_on: now },
        { name: "privacy_speech_dropped_today", value: today ? droppedToday : 0, unit: "count", captured_on: now },
        { name: "privacy_speech_muted", value: muted, unit: "count", captured_on: now },
      ];
    },
  };
}
