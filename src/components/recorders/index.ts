/** @module Recorders, the program API's `recorders`: the ALSA recorder and its `microphone` section. */
export { AlsaRecorder, MicrophoneConfigSchema } from "./alsa-recorder.ts";
export type { Recorder } from "./types.ts";
