/**
 * @module acoupi 0.6 named the microphone by its PyAudio name ("UltraMic 250K 16 bit r4", or
 * "UltraMic 250K 16 bit r4: USB Audio (hw:3,0)"). ALSA knows the same device by its card: such a
 * name is matched to the sound card of that name (or the `hw:` in brackets) and replaced by the
 * card's `plughw:` device; when no card matches, the error lists the cards there are.
 */
import { ConfigError } from "../errors.ts";

export interface CardInfo {
  name: string;
  longName: string;
  /** e.g. "hw:1,0" */
  device: string;
}

/** ALSA names have no spaces ("default", "hw:1,0", "plughw:CARD=r4,DEV=0"); PyAudio's do. */
export function isPyAudioName(name: string): boolean {
  return /\s/.test(name.trim());
}

/** The `plughw:` device of the card a PyAudio name means, or null. */
export function matchCard(name: string, cards: readonly CardInfo[]): string | null {
  const bracketed = /\((hw:\d+,\d+)\)\s*$/.exec(name);
  if (bracketed) return `plug${bracketed[1]}`;
  const wanted = (name.split(":")[0] ?? name).trim().toLowerCase();
  const card = cards.find((c) => c.name.trim().toLowerCase() === wanted) ?? cards.find((c) => c.longName.toLowerCase().startsWith(wanted));
  return card ? `plug${card.device}` : null;
}

/**
 * The ALSA device a PyAudio `microphone.device_name` means, or null when `name` is an ALSA name
 * already; throws a ConfigError listing the sound cards when none matches. Loads libasound only
 * for a PyAudio name.
 */
export async function alsaDeviceFor(name: string): Promise<string | null> {
  if (!isPyAudioName(name)) return null;
  const { listCards } = await import("../../native/alsa/devices.ts");
  const cards = listCards();
  const device = matchCard(name, cards);
  if (device === null) {
    const list = cards.length === 0 ? "none (is the USB microphone plugged in?)" : cards.map((c) => `${c.device} "${c.name}"`).join(", ");
    throw new ConfigError(`microphone.device_name "${name}" looks like an acoupi 0.6 (PyAudio) name, and no sound card is called that; sound cards: ${list}`, {
      key: "microphone.device_name",
      help: "Run `acoupi devices` and give one of its names, such as `--microphone.device_name plughw:1,0`",
    });
  }
  process.stdout.write(`microphone.device_name "${name}" is the sound card ${device.slice(4)}: using ALSA device ${device}\n`);
  return device;
}
