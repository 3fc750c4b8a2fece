/**
 * @module `acoupi devices`: the ALSA capture devices, by the names `microphone.device_name`
 * accepts (PCMs from `snd_device_name_hint`, and each sound card as `hw:`/`plughw:`).
 */
import { existsSync, readFileSync } from "node:fs";
import { defineCommand } from "citty";

export default defineCommand({
  meta: { name: "devices", description: "List the capture devices (names for microphone.device_name)" },
  args: { json: { type: "boolean", description: "Print JSON" } },
  async run({ args }) {
    const { listCapturePcms, listCards } = await import("../../../native/alsa/devices.ts");
    const pcms = listCapturePcms();
    // PCMs that ACOUPI_ALSA_CONFIG adds for the recorder only (e.g. the demo's simulated microphone).
    const extra = process.env.ACOUPI_ALSA_CONFIG;
    if (extra && existsSync(extra)) {
      for (const match of readFileSync(extra, "utf8").matchAll(/^\s*pcm\.([\w-]+)/gm)) {
        pcms.push({ name: match[1] as string, description: `from ACOUPI_ALSA_CONFIG (${extra})`, ioid: null });
      }
    }
    const cards = listCards();
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ pcms, cards }, null, 2)}\n`);
      return;
    }
    process.stdout.write("Capture PCMs:\n");
    for (const pcm of pcms) process.stdout.write(`  ${pcm.name}\n      ${pcm.description.replaceAll("\n", " — ")}\n`);
    if (pcms.length === 0) process.stdout.write("  (none)\n");
    process.stdout.write("Sound cards:\n");
    for (const card of cards) process.stdout.write(`  ${card.device} / plug${card.device}   ${card.longName}\n`);
    if (cards.length === 0) process.stdout.write("  (none: is the USB microphone plugged in?)\n");
  },
});
