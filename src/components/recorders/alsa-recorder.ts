/**
 * @module AlsaRecorder: records WAV files from an ALSA capture device through libasound (bun:ffi),
 * S16_LE interleaved. Capture runs in a Worker that owns the handle (see capture-worker.ts), so
 * the main thread never blocks on the device. In continuous mode the device stays open between
 * `record()` calls and consecutive files tile the input stream exactly; otherwise each call opens
 * the device, captures `duration` seconds and closes it, on the same Worker thread, which stays
 * alive between files (starting one per file was most of the idle CPU). Each file gets a GUANO chunk and is
 * written crash-safely (`.wav.part`, fsync, rename).
 */
import { recordingName } from "../../audio/recording-file.ts";
import { mkdir } from "node:fs/promises";
import type { ConsolaInstance } from "consola";
import { z } from "zod";
import { opened } from "../../config/markers.ts";
import { dbfs, formatDbfs, RecordingSchema, type CheckReport, type Deployment, type Recording } from "../../data/index.ts";
import { DeviceError } from "../../errors.ts";
import { logger } from "../../log.ts";
import { acoupiGuanoFields, buildGuano, guanoChunk } from "../../audio/guano.ts";
import { MAX_RATE, MIN_RATE } from "../../audio/resample.ts";
import { timeExpandedRate } from "../../audio/wav.ts";
import { WavWriter } from "../../audio/wav-writer.ts";
import { CaptureStream } from "./_capture-stream.ts";
import { CaptureThread } from "./_capture-thread.ts";
import type { Recorder, RecorderStats } from "./types.ts";

/**
 * The most channels recorded: multichannel capture interfaces offer up to a few dozen, and 64
 * channels of 16-bit samples at 500 kHz (a 128-byte WAV frame, 64 MB/s) still fit the WAV/RF64
 * header's 16-bit block align and 32-bit byte rate many times over.
 */
export const MAX_CHANNELS = 64;

export const MicrophoneConfigSchema = opened(z.object({
  device_name: z
    .string()
    .min(1)
    .default("default")
    .describe("ALSA capture device, e.g. default or hw:1,0 (run `acoupi devices` to list them)"),
  samplerate: z.number().int().min(MIN_RATE).max(MAX_RATE).default(48000).describe(`Samplerate to record at, in Hz (${MIN_RATE}–${MAX_RATE}); the real capture rate, before any time expansion`),
  audio_channels: z.number().int().min(1).max(MAX_CHANNELS).default(1).describe(`Number of audio channels to record (1 to ${MAX_CHANNELS})`),
  time_expansion: z
    .number()
    .positive()
    .max(1000)
    .default(1)
    .describe("Time expansion factor written into each file: 10.0 makes a 384 kHz capture a WAV whose header says 38.4 kHz, which plays 10× slower; models, spectrograms and exports still use real time and frequency"),
}));

export type MicrophoneConfig = z.output<typeof MicrophoneConfigSchema>;

export interface AlsaRecorderConfig {
  microphone: MicrophoneConfig;
  /** Seconds of audio per file. */
  duration: number;
  /** Frames per device read; by default about 0.1 s, rounded to a power of two. */
  chunksize?: number;
  /** Folder for the files being written (acoupi's tmp_audio). */
  tmpDir: string;
  /** GUANO `Serial`. */
  deviceId: string;
  /** GUANO `Firmware Version`. */
  firmwareVersion: string;
  /** Keep the device open between calls so consecutive files tile the stream. */
  continuous?: boolean;
  /** Seconds between recordings; when it equals `duration` (and `continuous` is unset) files are back to back. */
  interval?: number;
  /** Write and fdatasync the `.part` file every this many seconds of audio (null: only at the end). */
  flushSeconds?: number | null;
}

export interface AlsaRecorderDeps {
  /**
   * ALSA configuration text (asoundrc syntax) to find the device in, instead of the global one;
   * a function is called at each open, so a changed definition is seen without a restart.
   */
  alsaConfig?: string | (() => string | undefined);
  /** Seconds of audio buffered between the worker and the main thread; 2 by default. */
  ringSeconds?: number;
  /** Where a re-created temp folder is reported; logger("recorder") by default. */
  logger?: ConsolaInstance;
}

const CHECK_SECONDS = 0.1;
const LIST_DEVICES = "Run `acoupi devices` to list capture devices";

function defaultChunkFrames(samplerate: number): number {
  let frames = 256;
  while (frames * 2 <= samplerate / 10 && frames < 16384) frames *= 2;
  return frames;
}

export { recordingName };

export class AlsaRecorder implements Recorder {
  readonly config: Readonly<AlsaRecorderConfig>;
  #microphone: MicrophoneConfig;
  #deps: AlsaRecorderDeps;
  #stream: CaptureStream | null = null;
  /** One capture Worker for every stream this recorder opens, kept between files. */
  #thread = new CaptureThread();
  #busy = false;
  /** Set once the temp folder was there: a later mkdir that creates it means it vanished. */
  #tmpDirMade = false;
  #closedTotals: RecorderStats = { framesCaptured: 0, framesLost: 0, xruns: 0 };

  constructor(config: AlsaRecorderConfig, deps: AlsaRecorderDeps = {}) {
    if (!(config.duration > 0)) throw new RangeError(`Recording duration must be positive, got ${config.duration}`);
    this.#microphone = MicrophoneConfigSchema.parse(config.microphone);
    this.config = { ...config, microphone: this.#microphone };
    this.#deps = deps;
  }

  /** Whether the device stays open between calls (back-to-back files). */
  get continuous(): boolean {
    return this.config.continuous ?? this.config.interval === this.config.duration;
  }

  async record(deployment: Deployment): Promise<Recording> {
    if (this.#busy) throw new DeviceError(`Recorder for "${this.#microphone.device_name}" is already recording`);
    this.#busy = true;
    try {
      const continuous = this.continuous;
      const stream = continuous ? (this.#stream ??= await this.#open()) : await this.#open();
      return await this.#recordFrom(stream, deployment, continuous);
    } finally {
      this.#busy = false;
    }
  }

  async #recordFrom(stream: CaptureStream, deployment: Deployment, continuous: boolean): Promise<Recording> {
    const { samplerate, audio_channels: channels, time_expansion: timeExpansion } = this.#microphone;
    const frames = Math.max(1, Math.round(this.config.duration * samplerate));
    const id = crypto.randomUUID();
    const format = { samplerate: timeExpandedRate(samplerate, timeExpansion), channels };
    // A long-open stream's wall base is re-anchored if NTP stepped the clock since the last file.
    stream.reanchorOnClockStep();
    const startOf = (frame: number): Date => new Date(stream.startWallMs + (frame / samplerate) * 1000);
    // The file is created at the first frame, whose time names it (an overrun may move it).
    const out: { writer: WavWriter | null } = { writer: null };
    let ok = false;
    try {
      // The temp folder may have vanished under us (a remounted SD card): re-create it and say so.
      const created = await mkdir(this.config.tmpDir, { recursive: true });
      if (created !== undefined && this.#tmpDirMade) (this.#deps.logger ?? logger("recorder")).warn(`The temp folder ${this.config.tmpDir} was missing; created ${created}`);
      this.#tmpDirMade = true;
      const taken = await stream.take(frames, async (samples) => {
        out.writer ??= await WavWriter.create(this.config.tmpDir, recordingName(startOf(stream.position), id), format, {
          flushFrames: this.config.flushSeconds == null ? null : this.config.flushSeconds * samplerate,
          expectedBytes: frames * channels * 2,
        });
        await out.writer.write(samples);
      });
      const writer = out.writer;
      if (writer === null) throw new DeviceError(`No audio was captured from "${stream.device}"`);
      const createdOn = startOf(taken.firstFrame);
      const guano = buildGuano(
        acoupiGuanoFields({
          timestamp: createdOn,
          firmwareVersion: this.config.firmwareVersion,
          serial: this.config.deviceId,
          samplerate,
          length: frames / samplerate,
          timeExpansion,
          latitude: deployment.latitude,
          longitude: deployment.longitude,
          deploymentName: deployment.name,
          deploymentId: deployment.id,
        }),
      );
      const path = await writer.finish([guanoChunk(guano)]);
      ok = true;
      return RecordingSchema.parse({
        id,
        created_on: createdOn,
        duration: this.config.duration,
        samplerate,
        deployment,
        path,
        audio_channels: channels,
        time_expansion: timeExpansion,
      });
    } finally {
      if (!ok && out.writer !== null) await out.writer.abort();
      if (!continuous || !ok) await this.#release(stream);
    }
  }

  /**
   * Opens the device, captures 0.1 s and checks rate, channels and frame count. When a continuous
   * stream is already open it only checks that stream's parameters, so the files still tile.
   */
  async check(): Promise<CheckReport> {
    const mic = this.#microphone;
    const live = this.#stream;
    const stream = live ?? (await this.#open());
    try {
      const actual = stream.params;
      if (actual.samplerate !== mic.samplerate)
        throw new DeviceError(
          `Recorded audio samplerate does not match the configured samplerate: expected ${mic.samplerate} Hz, got ${actual.samplerate} Hz`,
          { help: LIST_DEVICES },
        );
      if (actual.channels !== mic.audio_channels)
        throw new DeviceError(
          `Recorded audio channels do not match the configured channels: expected ${mic.audio_channels}, got ${actual.channels}`,
          { help: LIST_DEVICES },
        );
      const report: CheckReport = {
        subject: "microphone",
        lines: [`Opened capture device "${mic.device_name}": ${actual.samplerate} Hz, ${actual.channels} channel${actual.channels > 1 ? "s" : ""} granted`],
        warnings: [],
      };
      if (live !== null) {
        report.lines.push("The runner is recording from it, so no test capture was taken");
        return report;
      }
      const wanted = Math.max(1, Math.round(CHECK_SECONDS * mic.samplerate));
      let got = 0;
      let sumSquares = 0;
      let peak = 0;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      await stream.take(wanted, (samples) => {
        got += samples.length / actual.channels;
        for (const sample of samples) {
          sumSquares += sample * sample;
          const magnitude = Math.abs(sample);
          if (magnitude > peak) peak = magnitude;
          if (sample < min) min = sample;
          if (sample > max) max = sample;
        }
      });
      if (got !== wanted)
        throw new DeviceError(`Health check recorded ${got} frames from "${mic.device_name}", expected ${wanted}`, {
          help: LIST_DEVICES,
        });
      const rms = Math.sqrt(sumSquares / Math.max(1, got * actual.channels));
      report.lines.push(`Captured ${CHECK_SECONDS} s: level ${formatDbfs(dbfs(rms))} RMS, ${formatDbfs(dbfs(peak))} peak`);
      if (max === min) {
        report.warnings.push(`The capture from "${mic.device_name}" is flat (every sample ${max}): the microphone may be unplugged, muted or silent`);
      }
      return report;
    } finally {
      if (live === null) await this.#release(stream);
    }
  }

  stats(): RecorderStats {
    const live = this.#stream?.counters() ?? { framesCaptured: 0, framesLost: 0, xruns: 0 };
    return {
      framesCaptured: this.#closedTotals.framesCaptured + live.framesCaptured,
      framesLost: this.#closedTotals.framesLost + live.framesLost,
      xruns: this.#closedTotals.xruns + live.xruns,
    };
  }

  /** Workers started so far: 1 while the thread was reused for every file. */
  get captureWorkersStarted(): number {
    return this.#thread.workersStarted;
  }

  async close(): Promise<void> {
    if (this.#stream !== null) await this.#release(this.#stream);
    this.#thread.terminate();
  }

  async #open(): Promise<CaptureStream> {
    const mic = this.#microphone;
    return CaptureStream.open({
      device: mic.device_name,
      configText: (typeof this.#deps.alsaConfig === "function" ? this.#deps.alsaConfig() : this.#deps.alsaConfig) ?? null,
      samplerate: mic.samplerate,
      channels: mic.audio_channels,
      chunkFrames: this.config.chunksize ?? defaultChunkFrames(mic.samplerate),
      ringSeconds: this.#deps.ringSeconds ?? 2,
    }, this.#thread);
  }

  async #release(stream: CaptureStream): Promise<void> {
    if (stream === this.#stream) this.#stream = null;
    await stream.close();
    const counted = stream.counters();
    this.#closedTotals = {
      framesCaptured: this.#closedTotals.framesCaptured + counted.framesCaptured,
      framesLost: this.#closedTotals.framesLost + counted.framesLost,
      xruns: this.#closedTotals.xruns + counted.xruns,
    };
  }
}
