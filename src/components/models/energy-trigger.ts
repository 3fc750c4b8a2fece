/**
 * @module EnergyTrigger: an AudioMoth-style frequency trigger that needs no model. It reads the
 * recording in real time (time expansion undone) and finds the runs where the power in the band
 * `trigger.fmin_hz`–`trigger.fmax_hz` rises `trigger.threshold_db` above the recording's own
 * background for at least `trigger.min_duration_s` (src/audio/band-events.ts). Run alone it is a
 * Model: each run becomes an `event` detection boxed in time and in the call's own band, tagged
 * `sound: bat` (energy in the bat band, not an identification), scored by the share of the
 * event's power above the background, `1 − 10^(−excess/10)`, so an event exactly at the threshold
 * of 12 dB scores 0.94. In front of a classifier it is a processing filter (see
 * processing-filters/energy-trigger.ts and TriggeredModel) that spares the model every recording without events.
 */
import { z } from "zod";
import { bandEvents, type BandEvent } from "../../audio/band-events.ts";
import { readRealTime } from "../../audio/real-time-audio.ts";
import { boundingBox, type CheckReport, type Detection, type ModelOutput, type Recording } from "../../data/index.ts";
import type { Model } from "./types.ts";

export const TriggerConfigSchema = z
  .object({
    fmin_hz: z.number().min(0).max(250_000).default(20_000).describe("Lower edge of the trigger band, in Hz (real, not time-expanded)"),
    fmax_hz: z.number().positive().max(250_000).default(120_000).describe("Upper edge of the trigger band, in Hz; clipped to half the samplerate"),
    threshold_db: z.number().min(1).max(60).default(12).describe("Decibels the band's power must rise above the recording's own background"),
    min_duration_s: z.number().min(0).max(10).default(0.002).describe("Shortest event kept, in seconds"),
  })
  .refine((t) => t.fmax_hz > t.fmin_hz, { message: "trigger.fmax_hz must be above trigger.fmin_hz", path: ["fmax_hz"] });
export type TriggerConfig = z.output<typeof TriggerConfigSchema>;

/** The name of the trigger's model outputs when it runs alone. */
export const TRIGGER_MODEL_NAME = "energy_trigger";
/** The tag of the trigger's detections. */
export const TRIGGER_TAG = { key: "sound", value: "bat" } as const;

/** An event's score: the share of its loudest frame's band power that is not background. */
export function excessScore(excessDb: number): number {
  return Math.min(1, Math.max(0, 1 - 10 ** (-excessDb / 10)));
}

export class EnergyTrigger implements Model {
  readonly name = TRIGGER_MODEL_NAME;
  #config: TriggerConfig;
  /** The last recording analysed, so a filter and the model after it read the file once. */
  #last: { id: string; events: BandEvent[] } | null = null;

  constructor(config: TriggerConfig) {
    this.#config = config;
  }

  get config(): TriggerConfig {
    return this.#config;
  }

  /** The band events of a recording (cached for the last recording asked about). */
  async events(recording: Recording): Promise<BandEvent[]> {
    if (recording.path === null) return [];
    if (this.#last?.id === recording.id) return this.#last.events;
    const { samples, samplerate } = await readRealTime(recording.path, { timeExpansion: recording.time_expansion });
    const { fmin_hz: fmin, fmax_hz: fmax, threshold_db: thresholdDb, min_duration_s: minDuration } = this.#config;
    const events = bandEvents(samples, samplerate, { fmin, fmax, thresholdDb, minDuration });
    this.#last = { id: recording.id, events };
    return events;
  }

  async run(recording: Recording): Promise<ModelOutput> {
    const events = await this.events(recording);
    const detections: Detection[] = events.map((e) => {
      const score = excessScore(e.excessDb);
      return {
        id: crypto.randomUUID(),
        prediction_type: "event",
        location: boundingBox(e.start, e.low, e.end, e.high),
        detection_score: score,
        tags: [{ tag: { ...TRIGGER_TAG }, confidence_score: score }],
      };
    });
    return { id: crypto.randomUUID(), name_model: this.name, recording, detections, created_on: new Date() };
  }

  async check(): Promise<CheckReport> {
    const { fmin_hz, fmax_hz, threshold_db, min_duration_s } = this.#config;
    return {
      subject: "energy trigger",
      lines: [`Energy trigger: ${fmin_hz / 1000}–${fmax_hz / 1000} kHz, ${threshold_db} dB above the background for ${min_duration_s * 1000} ms`],
      warnings: [],
    };
  }

  async close(): Promise<void> {
    this.#last = null;
  }
}
