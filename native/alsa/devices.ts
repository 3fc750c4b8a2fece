/**
 * @module Listing what can capture: the PCMs that `snd_device_name_hint` knows (from the ALSA
 * configuration, ~/.asoundrc included) and the sound cards the kernel has. A PCM whose IOID is
 * "Input" or unset (both directions) can capture; "Output"-only PCMs are left out. Strings that
 * libasound allocates are copied and freed here.
 */
import { CString, ptr, read, type Pointer } from "bun:ffi";
import { check } from "./errors.ts";
import { cstring, libasound, libcFree, type AlsaSymbols } from "./symbols.ts";

export interface CapturePcmInfo {
  /** The name to pass as `microphone.device_name`, e.g. "default" or "hw:CARD=UltraMic,DEV=0". */
  name: string;
  /** ALSA's description, possibly several lines; "" when it has none. */
  description: string;
  /** "Input" for capture-only PCMs, null when the PCM does both directions. */
  ioid: "Input" | null;
}

export interface SoundCard {
  index: number;
  /** The short name, e.g. "UltraMic 250K 16 bit r4". */
  name: string;
  longName: string;
  /** The hardware device name of the card's first PCM, e.g. "hw:1,0". */
  device: string;
}

/** `read.ptr` yields 0, not null, for a NULL pointer. */
function readPointer(from: Pointer, offset: number): Pointer | null {
  const p = read.ptr(from, offset) as Pointer | 0;
  return p === 0 ? null : p;
}

function takeString(p: Pointer | null): string | null {
  if (p === null || p === 0) return null;
  try {
    return new CString(p).toString();
  } finally {
    libcFree()(p);
  }
}

function hintValue(lib: AlsaSymbols, hint: Pointer, id: string): string | null {
  return takeString(lib.snd_device_name_get_hint(hint, cstring(id)) as Pointer | null);
}

/** The PCMs that can capture, in ALSA's order. */
export function listCapturePcms(): CapturePcmInfo[] {
  const lib = libasound();
  const cell = new BigUint64Array(1);
  check(lib.snd_device_name_hint(-1, cstring("pcm"), cell), "snd_device_name_hint", "pcm");
  const hints = readPointer(ptr(cell), 0);
  if (hints === null) return [];
  const found: CapturePcmInfo[] = [];
  try {
    for (let i = 0; ; i++) {
      const hint = readPointer(hints, i * 8);
      if (hint === null) break;
      const name = hintValue(lib, hint, "NAME");
      const ioid = hintValue(lib, hint, "IOID");
      const description = hintValue(lib, hint, "DESC") ?? "";
      if (name === null || (ioid !== null && ioid !== "Input")) continue;
      found.push({ name, description, ioid: ioid === "Input" ? "Input" : null });
    }
  } finally {
    lib.snd_device_name_free_hint(hints);
  }
  return found;
}

/** The sound cards the kernel knows, by index; empty on a machine with none. */
export function listCards(): SoundCard[] {
  const lib = libasound();
  const cards: SoundCard[] = [];
  const index = new Int32Array([-1]);
  for (;;) {
    check(lib.snd_card_next(index), "snd_device_name_hint", "cards");
    const card = index[0] ?? -1;
    if (card < 0) break;
    const cell = new BigUint64Array(1);
    const name = lib.snd_card_get_name(card, cell) < 0 ? null : takeString(readPointer(ptr(cell), 0));
    const longCell = new BigUint64Array(1);
    const longName =
      lib.snd_card_get_longname(card, longCell) < 0 ? null : takeString(readPointer(ptr(longCell), 0));
    cards.push({ index: card, name: name ?? `card ${card}`, longName: longName ?? name ?? "", device: `hw:${card},0` });
  }
  return cards;
}
