/**
 * @module The privacy filter's config and decisions: the `privacy` section (off by default; the
 * bundled Silero VAD unless `model_path` is set; the speech probability and the seconds of speech
 * that make a recording a speech recording; delete it, or mute only the speech spans) and the
 * pure functions that turn Silero's per-frame probabilities into speech seconds and spans.
 */
import { z } from "zod";
import { askWhen, noPrompt } from "../../config/markers.ts";
import { THREADS_SCHEMA } from "../models/_onnx-session.ts";

export const PrivacyConfigSchema = z.object({
  enabled: z.boolean().default(false).describe("Screen every recording for human speech before any model or message sees it"),
  threshold: askWhen("enabled", z.number().min(0).max(1).default(0.5).describe("Speech probability (Silero VAD, per 32 ms frame) that counts as speech")),
  min_speech_s: askWhen("enabled", z.number().min(0).max(3600).default(0.1).describe("Seconds of speech frames that make a recording a speech recording")),
  action: askWhen("enabled", z.enum(["delete", "mute"]).default("delete").describe("What happens to a speech recording: delete it, or mute its speech spans only")),
  model_path: noPrompt(z.string().min(1).nullable().default(null).describe("A Silero VAD v5 .onnx file to use instead of the bundled one")),
  threads: noPrompt(THREADS_SCHEMA),
});
export type PrivacyConfig = z.output<typeof PrivacyConfigSchema>;

/** A span of a recording, in seconds from its start. */
export interface Span {
  start: number;
  end: number;
}

/** Seconds of frames at or above the threshold. */
export function speechSeconds(probabilities: Float32Array, frameSeconds: number, threshold: number): number {
  let frames = 0;
  for (const p of probabilities) if (p >= threshold) frames++;
  return frames * frameSeconds;
}

/**
 * The speech spans, merged, each widened by `padding` seconds on both sides (speech starts and
 * ends softer than the frames Silero is sure of), clipped to [0, duration].
 */
export function speechSpans(probabilities: Float32Array, frameSeconds: number, threshold: number, duration: number, padding = 0.1): Span[] {
  const spans: Span[] = [];
  for (let f = 0; f < probabilities.length; f++) {
    if ((probabilities[f] ?? 0) < threshold) continue;
    const start = Math.max(0, f * frameSeconds - padding);
    const end = Math.min(duration, (f + 1) * frameSeconds + padding);
    const last = spans.at(-1);
    if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
    else spans.push({ start, end });
  }
  return spans;
}
