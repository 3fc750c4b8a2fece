/** @module The Recorder interface: turns a capture device into WAV files in the temp folder. */
import type { CheckReport, ComponentStatus, Deployment, Recording } from "../../data/index.ts";

export interface RecorderStats {
  /** Frames captured since the stream opened. */
  framesCaptured: number;
  /** Frames ALSA reported lost in overruns (xruns): the one truth about lost samples. */
  framesLost: number;
  xruns: number;
}

/**
 * Records one file per call. Contract:
 * - `record` writes `<tmp>/<name>.wav.part`, finalises the header, fsyncs and renames it to
 *   `<tmp>/<name>.wav`, and returns the Recording with that path. It never returns a partial file.
 * - `created_on` is the wall time of the stream's first frame plus frameIndex / samplerate, so
 *   back-to-back recordings tile exactly.
 * - It throws DeviceError (AlsaError for libasound codes) when the device cannot be used.
 * - It is not safe to call concurrently: the scheduler's `recording` queue has concurrency 1.
 * - `close` releases the device; the recorder may be reused after it (it reopens lazily).
 */
export interface Recorder {
  record(deployment: Deployment): Promise<Recording>;
  /**
   * Opens the device, captures a short test and checks rate and channels; throws DeviceError.
   * The report names the device, the rate and channels granted and the level captured, and
   * warns of a flat (silent) capture.
   */
  check(): Promise<CheckReport>;
  stats(): RecorderStats;
  close(): Promise<void>;
  /** Optional health of the device itself, beyond what the recording task sees. */
  status?(): ComponentStatus;
}
