/**
 * @module TriggeredModel: a classifier behind the energy trigger, as the bat program runs it. The
 * trigger reads each recording first; a recording without band events gets an empty output under
 * the classifier's name and costs no inference. Otherwise the classifier runs, and each of its
 * timed detections takes the band of the trigger event it overlaps most (a model that only gives
 * times, like the BatDetect worked example, would otherwise box every call from 0 Hz to Nyquist);
 * one that overlaps none keeps the trigger's band. Presence detections (window classifiers) are
 * left as they are.
 */
import type { BandEvent } from "../../audio/band-events.ts";
import { boundingBox, type CheckReport, type Detection, type ModelOutput, type Recording } from "../../data/index.ts";
import type { EnergyTrigger } from "./energy-trigger.ts";
import type { Model } from "./types.ts";

export class TriggeredModel implements Model {
  readonly name: string;
  #trigger: EnergyTrigger;
  #model: Model;
  skipped = 0;

  constructor(trigger: EnergyTrigger, model: Model) {
    this.#trigger = trigger;
    this.#model = model;
    this.name = model.name;
  }

  async run(recording: Recording): Promise<ModelOutput> {
    const events = await this.#trigger.events(recording);
    if (events.length === 0) {
      this.skipped++;
      return { id: crypto.randomUUID(), name_model: this.name, recording, detections: [], created_on: new Date() };
    }
    const output = await this.#model.run(recording);
    return { ...output, detections: output.detections.map((d) => this.#banded(d, events)) };
  }

  #banded(detection: Detection, events: readonly BandEvent[]): Detection {
    if (detection.prediction_type === "presence" || detection.location === null) return detection;
    const [start, , end, top] = detection.location.coordinates;
    let best: BandEvent | null = null;
    let bestOverlap = 0;
    for (const e of events) {
      const overlap = Math.min(end, e.end) - Math.max(start, e.start);
      if (overlap > bestOverlap) [best, bestOverlap] = [e, overlap];
    }
    const { fmin_hz, fmax_hz } = this.#trigger.config;
    const low = best?.low ?? fmin_hz;
    const high = Math.min(best?.high ?? fmax_hz, top);
    return high > low ? { ...detection, location: boundingBox(start, low, end, high) } : detection;
  }

  async check(): Promise<CheckReport> {
    const [trigger, model] = await Promise.all([this.#trigger.check(), this.#model.check()]);
    return { subject: model.subject, lines: [...trigger.lines, ...model.lines], warnings: [...trigger.warnings, ...model.warnings] };
  }

  async close(): Promise<void> {
    await Promise.all([this.#trigger.close(), this.#model.close()]);
  }
}
