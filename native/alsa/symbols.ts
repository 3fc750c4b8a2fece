/**
 * @module The libasound symbol table for bun:ffi, opened lazily. Nothing is loaded at import:
 * `libasound()` calls `dlopen` the first time it is needed (the path comes from
 * `ACOUPI_LIBASOUND`, default "libasound.so.2") and hands back the same symbols afterwards, so
 * `acoupi --help` never touches ALSA and a machine without libasound fails only when it records.
 * The signatures were checked against libasound 1.2.8 (see shared/TOOLCHAIN.md).
 */
import { dlopen, FFIType as T, JSCallback } from "bun:ffi";
import { isMainThread } from "node:worker_threads";
import { DeviceError } from "../../src/errors.ts";

export const ALSA_SYMBOLS = {
  snd_strerror: { args: [T.i32], returns: T.cstring },
  snd_pcm_open: { args: [T.ptr, T.ptr, T.i32, T.i32], returns: T.i32 },
  snd_pcm_open_lconf: { args: [T.ptr, T.ptr, T.i32, T.i32, T.ptr], returns: T.i32 },
  snd_pcm_set_params: { args: [T.ptr, T.i32, T.i32, T.u32, T.u32, T.i32, T.u32], returns: T.i32 },
  snd_pcm_get_params: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
  snd_pcm_readi: { args: [T.ptr, T.ptr, T.u64], returns: T.i64 },
  snd_pcm_recover: { args: [T.ptr, T.i32, T.i32], returns: T.i32 },
  snd_pcm_close: { args: [T.ptr], returns: T.i32 },
  snd_pcm_hw_params_malloc: { args: [T.ptr], returns: T.i32 },
  snd_pcm_hw_params_free: { args: [T.ptr], returns: T.void },
  snd_pcm_hw_params_current: { args: [T.ptr, T.ptr], returns: T.i32 },
  snd_pcm_hw_params_get_rate: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
  snd_pcm_hw_params_get_channels: { args: [T.ptr, T.ptr], returns: T.i32 },
  snd_input_buffer_open: { args: [T.ptr, T.ptr, T.i64], returns: T.i32 },
  snd_input_close: { args: [T.ptr], returns: T.i32 },
  snd_config_top: { args: [T.ptr], returns: T.i32 },
  snd_config_load: { args: [T.ptr, T.ptr], returns: T.i32 },
  snd_config_delete: { args: [T.ptr], returns: T.i32 },
  snd_device_name_hint: { args: [T.i32, T.ptr, T.ptr], returns: T.i32 },
  snd_device_name_get_hint: { args: [T.ptr, T.ptr], returns: T.ptr },
  snd_device_name_free_hint: { args: [T.ptr], returns: T.i32 },
  snd_card_next: { args: [T.ptr], returns: T.i32 },
  snd_lib_error_set_handler: { args: [T.ptr], returns: T.i32 },
  snd_card_get_name: { args: [T.i32, T.ptr], returns: T.i32 },
  snd_card_get_longname: { args: [T.i32, T.ptr], returns: T.i32 },
} as const;

const LIBC_SYMBOLS = {
  free: { args: [T.ptr], returns: T.void },
} as const;

export type AlsaSymbols = ReturnType<typeof dlopen<typeof ALSA_SYMBOLS>>["symbols"];
export type LibcSymbols = ReturnType<typeof dlopen<typeof LIBC_SYMBOLS>>["symbols"];

/** libasound's constants that we use (from <alsa/pcm.h>). */
export const SND_PCM_STREAM_CAPTURE = 1;
export const SND_PCM_FORMAT_S16_LE = 2;
export const SND_PCM_ACCESS_RW_INTERLEAVED = 3;

/** The default library name; `ACOUPI_LIBASOUND` overrides it with a name or an absolute path. */
export const DEFAULT_LIBASOUND = "libasound.so.2";

// A cache of opened libraries, keyed by path: dlopen compiles the trampolines once per thread.
const opened = new Map<string, AlsaSymbols>();
let libc: LibcSymbols | undefined;

/** The libasound path this process uses. */
export function libasoundPath(): string {
  const fromEnv = process.env.ACOUPI_LIBASOUND;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : DEFAULT_LIBASOUND;
}

/** Opens libasound on first use; throws DeviceError when it cannot be loaded. */
export function libasound(): AlsaSymbols {
  const path = libasoundPath();
  const cached = opened.get(path);
  if (cached !== undefined) return cached;
  try {
    const lib = dlopen(path, ALSA_SYMBOLS).symbols;
    opened.set(path, lib);
    quietLibErrors(lib);
    return lib;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DeviceError(`Cannot load libasound from "${path}": ${reason}`, {
      help: "Install libasound2 (`sudo apt install libasound2`) or set ACOUPI_LIBASOUND to the library's path",
      cause,
    });
  }
}

// libasound prints its own diagnostics to stderr ("ALSA lib confmisc.c:165:(snd_config_get_card)
// Cannot get card index for 7") besides the error code it returns, which AlsaError already
// carries: the same error twice, once raw. A handler that drops them keeps each error to one
// message. It is installed from the main thread only (threadsafe: a capture Worker's messages are
// queued to it); the callback reads the fixed arguments and ignores the format's varargs.
let errorHandler: JSCallback | undefined;
function quietLibErrors(lib: AlsaSymbols): void {
  if (errorHandler !== undefined || !isMainThread) return;
  errorHandler = new JSCallback(() => {}, { args: [T.ptr, T.i32, T.ptr, T.i32, T.ptr], returns: T.void, threadsafe: true });
  lib.snd_lib_error_set_handler(errorHandler.ptr);
}

/** libc's `free`, for the strings libasound hands over to the caller. */
export function libcFree(): LibcSymbols["free"] {
  libc ??= dlopen("libc.so.6", LIBC_SYMBOLS).symbols;
  return libc.free;
}

/** A NUL-terminated copy of `text` to pass as a `const char *`. */
export function cstring(text: string): Buffer {
  return Buffer.from(`${text}\0`, "utf8");
}
