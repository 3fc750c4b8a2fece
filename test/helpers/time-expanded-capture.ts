/**
 * @module A time-expanded capture from the fake microphone: 2 s at EXPANDED_RATE with time
 * expansion EXPANDED_TE (the WAV header says 38.4 kHz), holding a 60 kHz burst from 0.5 to 1 s in
 * the field, recorded by the real AlsaRecorder into a temp home.
 */
import { join } from "node:path";
import { AlsaRecorder } from "../../src/components/recorders/alsa-recorder.ts";
import { createDeployment, type Deployment, type Recording } from "../../src/data/index.ts";
import { createFakeMic } from "./fake-mic.ts";

export const EXPANDED_RATE = 384_000;
export const EXPANDED_TE = 10;

/** Records the burst under `dir` (its fake mic and tmp folder live there) at the "roost" site. */
export async function recordExpandedBurst(dir: string): Promise<{ recording: Recording; site: Deployment }> {
  const RATE = EXPANDED_RATE;
  const TE = EXPANDED_TE;
  const signal = new Int16Array(RATE * 2);
  for (let i = RATE / 2; i < RATE; i++) signal[i] = Math.round(0.4 * 32767 * Math.sin((2 * Math.PI * 60_000 * i) / RATE));
  const mic = await createFakeMic(signal, { parent: dir });
  const recorder = new AlsaRecorder(
    { microphone: { device_name: mic.device, samplerate: RATE, audio_channels: 1, time_expansion: TE }, duration: 2, tmpDir: join(dir, "tmp"), deviceId: "d", firmwareVersion: "0.1.0" },
    { alsaConfig: mic.configText },
  );
  const site = createDeployment({ name: "roost", latitude: 51.5, longitude: -0.1 });
  try {
    return { recording: await recorder.record(site), site };
  } finally {
    await recorder.close();
  }
}
