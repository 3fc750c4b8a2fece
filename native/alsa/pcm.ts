/**
 * @module A capture PCM: one open libasound handle, S16_LE interleaved, owned by a small class so
 * that raw pointers never leave native/. It opens a device by name from the global ALSA
 * configuration, or from an in-memory configuration text (`snd_input_buffer_open` +
 * `snd_config_top` + `snd_config_load` + `snd_pcm_open_lconf`) so a fake `file` PCM works with no
 * files at all. Reads block (`snd_pcm_readi`), so use it from a Worker. No policy lives here: the
 * caller decides what to do with an overrun.
 */
import { ptr, read, type Pointer } from "bun:ffi";
import { EINVAL, check, alsaError } from "./errors.ts";
import {
  SND_PCM_ACCESS_RW_INTERLEAVED,
  SND_PCM_FORMAT_S16_LE,
  SND_PCM_STREAM_CAPTURE,
  cstring,
  libasound,
  type AlsaSymbols,
} from "./symbols.ts";

export interface CaptureParams {
  samplerate: number;
  channels: number;
  /** The wanted buffer latency in microseconds; ALSA picks the period from it. */
  latencyUs: number;
}

export interface OpenOptions {
  /** ALSA configuration text (asoundrc syntax) to look `device` up in, instead of the global one. */
  configText?: string;
}

/** The parameters the device actually runs with. */
export interface ActualParams {
  samplerate: number;
  channels: number;
  bufferFrames: number;
  periodFrames: number;
}

/** The pointer libasound stored in `cell`; `read.ptr` yields 0, not null, for NULL. */
function outPointer(cell: BigUint64Array): Pointer | null {
  const p = read.ptr(ptr(cell), 0) as Pointer | 0;
  return p === 0 ? null : p;
}

function loadConfig(lib: AlsaSymbols, text: string, device: string): Pointer {
  const bytes = Buffer.from(text, "utf8");
  const inputCell = new BigUint64Array(1);
  check(lib.snd_input_buffer_open(inputCell, bytes, bytes.length), "snd_config_load", device, "buffer");
  const input = outPointer(inputCell);
  const configCell = new BigUint64Array(1);
  try {
    check(lib.snd_config_top(configCell), "snd_config_load", device, "top");
    const config = outPointer(configCell);
    if (config === null) throw alsaError(-EINVAL, "snd_config_load", device, "top");
    const rc = lib.snd_config_load(config, input);
    if (rc < 0) {
      lib.snd_config_delete(config);
      throw alsaError(rc, "snd_config_load", device);
    }
    return config;
  } finally {
    if (input !== null) lib.snd_input_close(input);
  }
}

/** An open capture stream. Not thread-safe: one thread reads it. */
export class CapturePcm {
  readonly device: string;
  readonly params: ActualParams;
  #lib: AlsaSymbols;
  #handle: Pointer | null;
  #config: Pointer | null;

  private constructor(lib: AlsaSymbols, device: string, handle: Pointer, config: Pointer | null, params: ActualParams) {
    this.#lib = lib;
    this.device = device;
    this.#handle = handle;
    this.#config = config;
    this.params = params;
  }

  /** Opens `device` for capture and sets S16_LE interleaved at the given rate and channels. */
  static open(device: string, wanted: CaptureParams, options: OpenOptions = {}): CapturePcm {
    const lib = libasound();
    const config = options.configText === undefined ? null : loadConfig(lib, options.configText, device);
    const cell = new BigUint64Array(1);
    const name = cstring(device);
    const rc =
      config === null
        ? lib.snd_pcm_open(cell, name, SND_PCM_STREAM_CAPTURE, 0)
        : lib.snd_pcm_open_lconf(cell, name, SND_PCM_STREAM_CAPTURE, 0, config);
    const handle = outPointer(cell);
    if (rc < 0 || handle === null) {
      if (config !== null) lib.snd_config_delete(config);
      throw alsaError(rc < 0 ? rc : -EINVAL, "snd_pcm_open", device);
    }
    try {
      const detail = `${wanted.samplerate} Hz, ${wanted.channels} channel${wanted.channels === 1 ? "" : "s"}, S16_LE`;
      check(
        lib.snd_pcm_set_params(
          handle,
          SND_PCM_FORMAT_S16_LE,
          SND_PCM_ACCESS_RW_INTERLEAVED,
          wanted.channels,
          wanted.samplerate,
          0,
          wanted.latencyUs,
        ),
        "snd_pcm_set_params",
        device,
        detail,
      );
      const params = readParams(lib, handle, device);
      return new CapturePcm(lib, device, handle, config, params);
    } catch (error) {
      lib.snd_pcm_close(handle);
      if (config !== null) lib.snd_config_delete(config);
      throw error;
    }
  }

  /**
   * Reads up to `frames` frames into `into` (which must hold frames × channels samples) and
   * returns libasound's code unchanged: the frames read, or a negative errno such as -EPIPE for
   * an overrun. Pass a negative code to `recover`.
   */
  readi(into: Int16Array, frames: number): number {
    if (into.length < frames * this.params.channels) throw new RangeError(`Buffer too small for ${frames} frames`);
    return Number(this.#lib.snd_pcm_readi(this.#open(), into, BigInt(frames)));
  }

  /** Recovers from an overrun or suspend (`snd_pcm_recover`); throws AlsaError when it cannot. */
  recover(rc: number): void {
    check(this.#lib.snd_pcm_recover(this.#open(), rc, 1), "snd_pcm_recover", this.device);
  }

  /** Closes the handle; closing twice is a no-op. */
  close(): void {
    if (this.#handle !== null) this.#lib.snd_pcm_close(this.#handle);
    if (this.#config !== null) this.#lib.snd_config_delete(this.#config);
    this.#handle = null;
    this.#config = null;
  }

  #open(): Pointer {
    if (this.#handle === null) throw new Error(`Capture device "${this.device}" is closed`);
    return this.#handle;
  }
}

function readParams(lib: AlsaSymbols, handle: Pointer, device: string): ActualParams {
  const buffer = new BigUint64Array(1);
  const period = new BigUint64Array(1);
  check(lib.snd_pcm_get_params(handle, buffer, period), "snd_pcm_get_params", device);
  const cell = new BigUint64Array(1);
  check(lib.snd_pcm_hw_params_malloc(cell), "snd_pcm_hw_params_current", device);
  const hw = outPointer(cell);
  if (hw === null) throw alsaError(-EINVAL, "snd_pcm_hw_params_current", device);
  try {
    check(lib.snd_pcm_hw_params_current(handle, hw), "snd_pcm_hw_params_current", device);
    const rate = new Uint32Array(1);
    const dir = new Int32Array(1);
    check(lib.snd_pcm_hw_params_get_rate(hw, rate, dir), "snd_pcm_hw_params_current", device, "rate");
    const channels = new Uint32Array(1);
    check(lib.snd_pcm_hw_params_get_channels(hw, channels), "snd_pcm_hw_params_current", device, "channels");
    return {
      samplerate: rate[0] ?? 0,
      channels: channels[0] ?? 0,
      bufferFrames: Number(buffer[0]),
      periodFrames: Number(period[0]),
    };
  } finally {
    lib.snd_pcm_hw_params_free(hw);
  }
}
