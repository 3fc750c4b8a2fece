/**
 * @module One open capture stream, seen from the main thread: it starts the capture Worker, waits
 * for the device to open, and hands out exactly the frames asked for, in stream order, from the
 * shared ring. Consecutive `take` calls tile the stream with no frame dropped or repeated. An
 * overrun gap inside a take is filled with silence so a file keeps its length and its start time;
 * a gap before the first frame of a take is skipped, and the take starts at the next real frame.
 * The worker runs on a CaptureThread the caller may keep between streams (see _capture-thread.ts).
 */
import { AlsaError, DeviceError } from "../../errors.ts";
import { liveLevel } from "../../audio/live-level.ts";
import { logger } from "../../log.ts";
import type { ActualParams } from "../../../native/alsa/pcm.ts";
import { FrameRing, type CaptureCounters, type RingChunk } from "./_frame-ring.ts";
import type { CaptureReply, CaptureStart, SerializedError } from "./capture-worker.ts";
import { CaptureThread } from "./_capture-thread.ts";

const log = logger("capture");

/** How long `close` waits for the worker to leave a blocking read before giving up on it. */
const CLOSE_GRACE_MS = 3000;
/**
 * A disagreement between the wall clock and the monotonic clock larger than this is a step (NTP
 * setting the clock of a Pi without an RTC), not the slow slewing NTP does otherwise.
 */
export const CLOCK_STEP_MS = 1000;

export interface StreamOptions {
  device: string;
  configText: string | null;
  samplerate: number;
  channels: number;
  /** Frames per read and per ring slot. */
  chunkFrames: number;
  /** Seconds of audio the ring holds before the worker has to wait. */
  ringSeconds: number;
}

export interface TakeResult {
  /** Stream frame index of the first frame handed to the sink. */
  firstFrame: number;
  /** Frames of silence put in place of frames lost to overruns. */
  filledFrames: number;
}

export type SampleSink = (samples: Int16Array) => Promise<void> | void;

/** True when `promise` settles within `ms`; the timer never keeps the process alive. */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function deserialize(error: SerializedError): Error {
  const options = error.help === undefined ? {} : { help: error.help };
  if (error.kind === "alsa") return new AlsaError(error.rc ?? -1, error.message, options);
  if (error.kind === "device") return new DeviceError(error.message, options);
  return new Error(`Capture worker failed: ${error.message}`);
}

export class CaptureStream {
  readonly device: string;
  #ring: FrameRing;
  #thread: CaptureThread;
  /** Whether the thread is this stream's own, to end with it. */
  #ownThread: boolean;
  #started: Promise<{ params: ActualParams; startWallMs: number }>;
  #params: ActualParams | null = null;
  #startWallMs = 0;
  /** `performance.now()` at the instant `#startWallMs` names: the monotonic anchor of the wall base. */
  #anchorMonoMs = 0;
  #stopped: Promise<void>;
  #failure: Error | null = null;
  #position = 0;
  #chunk: RingChunk | null = null;
  #chunkOffset = 0;
  #closed = false;

  private constructor(options: StreamOptions, thread: CaptureThread | undefined) {
    this.device = options.device;
    const slots = Math.max(4, Math.ceil((options.ringSeconds * options.samplerate) / options.chunkFrames));
    const ring = FrameRing.create(slots, options.chunkFrames, options.channels);
    this.#ring = ring;
    this.#ownThread = thread === undefined;
    this.#thread = thread ?? new CaptureThread();
    let resolveStopped: () => void = () => undefined;
    this.#stopped = new Promise<void>((resolve) => {
      resolveStopped = resolve;
    });
    this.#started = new Promise((resolve, reject) => {
      const start: CaptureStart = {
        type: "start",
        device: options.device,
        configText: options.configText,
        samplerate: options.samplerate,
        channels: options.channels,
        latencyUs: Math.max(500_000, Math.ceil(((4 * options.chunkFrames) / options.samplerate) * 1e6)),
        ring: ring.buffers,
        // The page's live level is measured where the device is read (capture-worker.ts).
        liveLevel: liveLevel.buffer,
      };
      this.#thread.start(start, {
        onReply: (message) => {
          if (message.type === "started") resolve(message);
          else if (message.type === "failed") {
            const error = deserialize(message.error);
            this.#failure ??= error;
            reject(error);
          } else resolveStopped();
        },
        onCrash: (text) => {
          const error = new DeviceError(`Capture worker for "${options.device}" crashed: ${text}`);
          this.#failure ??= error;
          reject(error);
          ring.markEnded();
          resolveStopped();
        },
      });
    });
  }

  /**
   * Opens the device on `thread`'s worker (a worker of its own, ended on close, when none is
   * given); rejects with AlsaError/DeviceError when it cannot.
   */
  static async open(options: StreamOptions, thread?: CaptureThread): Promise<CaptureStream> {
    const stream = new CaptureStream(options, thread);
    try {
      const { params, startWallMs } = await stream.#started;
      stream.#params = params;
      stream.#startWallMs = startWallMs;
      stream.#anchorMonoMs = performance.now() - (Date.now() - startWallMs);
      return stream;
    } catch (error) {
      await stream.close();
      throw error;
    }
  }

  /** The parameters the device runs with. */
  get params(): ActualParams {
    if (this.#params === null) throw new Error(`Capture device "${this.device}" is not open`);
    return this.#params;
  }

  /** Wall time (ms since the epoch) of frame 0. */
  get startWallMs(): number {
    return this.#startWallMs;
  }

  /**
   * Moves the wall time of frame 0 by the step when the wall clock was stepped since the stream
   * opened (or since the last step), detected by comparing the wall clock's progress with the
   * monotonic clock's. Frames keep their indices, so no sample is lost or repeated; files that
   * start after this carry the corrected time. Returns the step in ms, 0 when there was none.
   */
  reanchorOnClockStep(): number {
    const expectedWallMs = this.#startWallMs + (performance.now() - this.#anchorMonoMs);
    const step = Date.now() - expectedWallMs;
    if (Math.abs(step) < CLOCK_STEP_MS) return 0;
    this.#startWallMs += step;
    log.warn(`The wall clock was stepped by ${step > 0 ? "+" : ""}${(step / 1000).toFixed(1)} s; recordings from "${this.device}" are stamped with the corrected time from now on`);
    return step;
  }

  /** Stream frame index of the next frame `take` will hand out (before any gap is skipped). */
  get position(): number {
    return this.#position;
  }

  /** Frames captured, lost and overruns so far, as the worker counts them. */
  counters(): CaptureCounters {
    return this.#ring.counters();
  }

  /** Hands exactly `frames` frames to `sink`, in order, waiting for the device as needed. */
  async take(frames: number, sink: SampleSink): Promise<TakeResult> {
    const channels = this.params.channels;
    let remaining = frames;
    let filled = 0;
    let firstFrame: number | null = null;
    while (remaining > 0) {
      const chunk = this.#chunk ?? (await this.#nextChunk());
      const chunkPosition = chunk.frameIndex + this.#chunkOffset;
      if (chunkPosition > this.#position) {
        if (firstFrame === null) {
          this.#position = chunkPosition;
        } else {
          const gap = Math.min(chunkPosition - this.#position, remaining, chunk.frames * 4);
          await sink(new Int16Array(gap * channels));
          filled += gap;
          this.#position += gap;
          remaining -= gap;
        }
        continue;
      }
      firstFrame ??= this.#position;
      const n = Math.min(chunk.frames - this.#chunkOffset, remaining);
      await sink(chunk.samples.subarray(this.#chunkOffset * channels, (this.#chunkOffset + n) * channels));
      this.#chunkOffset += n;
      this.#position += n;
      remaining -= n;
      if (this.#chunkOffset === chunk.frames) {
        this.#chunk = null;
        this.#chunkOffset = 0;
        this.#ring.release();
      }
    }
    if (filled > 0) log.warn(`Filled ${filled} frames lost to overruns on "${this.device}" with silence`);
    return { firstFrame: firstFrame ?? this.#position, filledFrames: filled };
  }

  /** Closes the device and ends the worker's stream (the worker too, if it is this stream's own); safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ring.requestStop();
    const finished = await settlesWithin(this.#stopped, CLOSE_GRACE_MS);
    if (!finished) log.warn(`Capture worker for "${this.device}" did not stop within ${CLOSE_GRACE_MS} ms; terminating it`);
    if (finished && !this.#ownThread) this.#thread.detach();
    else this.#thread.terminate();
  }

  async #nextChunk(): Promise<RingChunk> {
    if (this.#closed) throw new DeviceError(`Capture device "${this.device}" is closed`);
    const chunk = await this.#ring.next();
    if (chunk !== null) {
      this.#chunk = chunk;
      this.#chunkOffset = 0;
      return chunk;
    }
    await this.#stopped;
    throw this.#failure ?? new DeviceError(`Capture from "${this.device}" stopped unexpectedly`);
  }
}
