/**
 * @module Turning libasound return codes into AlsaError at the FFI boundary. `check(rc, call,
 * device)` passes non-negative codes through and throws for negative ones, with a message that
 * says what failed and on which device, in the house style
 * (`Cannot open capture device "hw:1,0": Device or resource busy`), plus a help line when the
 * user can do something about it.
 */
import { AlsaError } from "../../src/errors.ts";
import { libasound } from "./symbols.ts";

export const ENOENT = 2;
export const EINTR = 4;
export const EAGAIN = 11;
export const ENODEV = 19;
export const EBUSY = 16;
export const EINVAL = 22;
export const EPIPE = 32;
export const ESTRPIPE = 86;

/** The libasound calls whose failures we report. */
export type AlsaCall =
  | "snd_pcm_open"
  | "snd_pcm_set_params"
  | "snd_pcm_get_params"
  | "snd_pcm_readi"
  | "snd_pcm_recover"
  | "snd_pcm_hw_params_current"
  | "snd_config_load"
  | "snd_device_name_hint";

const LIST_DEVICES = "Run `acoupi devices` to list capture devices";

/** libasound's text for a (negative) return code. */
export function strerror(rc: number): string {
  const text = libasound().snd_strerror(rc);
  return text === null ? `error ${rc}` : text.toString();
}

function describe(call: AlsaCall, device: string, detail: string | undefined): string {
  const extra = detail === undefined ? "" : ` (${detail})`;
  switch (call) {
    case "snd_pcm_open":
      return `Cannot open capture device "${device}"${extra}`;
    case "snd_pcm_set_params":
    case "snd_pcm_get_params":
    case "snd_pcm_hw_params_current":
      return `Cannot configure capture device "${device}"${extra}`;
    case "snd_pcm_readi":
      return `Cannot read from capture device "${device}"${extra}`;
    case "snd_pcm_recover":
      return `Cannot recover capture device "${device}" after an overrun${extra}`;
    case "snd_config_load":
      return `Cannot parse the ALSA configuration for "${device}"${extra}`;
    case "snd_device_name_hint":
      return `Cannot list ALSA devices${extra}`;
  }
}

function helpFor(call: AlsaCall, rc: number): string | undefined {
  const errno = -rc;
  if (errno === EBUSY) return "Stop the other program that uses the device (`fuser -v /dev/snd/*` shows it)";
  if (errno === ENODEV) return "Check that the microphone is plugged in, then run `acoupi devices`";
  if (call === "snd_pcm_set_params" && errno === EINVAL)
    return "Choose a samplerate and channel count the device supports; run `acoupi devices` to list capture devices";
  if (call === "snd_config_load") return "Check the ALSA configuration text (asoundrc syntax)";
  if (call === "snd_pcm_open" || call === "snd_pcm_readi") return LIST_DEVICES;
  return undefined;
}

/** The AlsaError for a negative return code of `call` on `device`. */
export function alsaError(rc: number, call: AlsaCall, device: string, detail?: string): AlsaError {
  return new AlsaError(rc, `${describe(call, device, detail)}: ${strerror(rc)}`, { help: helpFor(call, rc) });
}

/** Returns `rc` when it is not negative, and throws the matching AlsaError otherwise. */
export function check(rc: number, call: AlsaCall, device: string, detail?: string): number {
  if (rc < 0) throw alsaError(rc, call, device, detail);
  return rc;
}
