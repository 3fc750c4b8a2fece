/**
 * @module Audio helpers, the program API's `audio`: a WAV or RF64 file as real-time mono samples
 * (time expansion undone, see docs/time-expansion.md), resampling between 8 and 500 kHz, and a
 * spectrogram with its axes in seconds and hertz. They are the functions acoupi's own models and
 * reports use, not copies.
 */
export { readRealTime } from "./real-time-audio.ts";
export { MAX_RATE, MIN_RATE, resampleSync as resample } from "./resample.ts";
export { spectrogramOf as spectrogram } from "./spectrogram-of.ts";
export type { RealTimeAudio, RealTimeOptions } from "./real-time-audio.ts";
export type { AudioSpectrogram, SpectrogramOfOptions } from "./spectrogram-of.ts";
