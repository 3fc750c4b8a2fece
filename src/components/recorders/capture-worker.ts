/**
 * @module The capture Worker: it owns the ALSA handle and nothing else. It opens the device,
 * reports the parameters and the wall time of the first frame, then loops on blocking
 * `snd_pcm_readi` straight into the shared ring. When the ring is full it waits and never drops;
 * an overrun (-EPIPE) is recovered with `snd_pcm_recover`, and the frames lost meanwhile (the time
 * since the last good read × samplerate, since recovery discards the device buffer) are counted and
 * skipped in the frame index, so every chunk still carries the index of its first sample. Each
 * read also feeds the page's live level slot (src/audio/live-level.ts), which measures only while
 * someone watches and never waits.
 */
import { AcoupiError, AlsaError, DeviceError } from "../../errors.ts";
import { EAGAIN, EINTR, EPIPE, ESTRPIPE, alsaError } from "../../../native/alsa/errors.ts";
import { CapturePcm, type ActualParams } from "../../../native/alsa/pcm.ts";
import { LiveLevel } from "../../audio/live-level.ts";
import { FrameRing, type RingBuffers } from "./_frame-ring.ts";

declare const self: Worker;

export interface CaptureStart {
  type: "start";
  device: string;
  /** In-memory ALSA configuration to find the device in; null for the global configuration. */
  configText: string | null;
  samplerate: number;
  channels: number;
  latencyUs: number;
  ring: RingBuffers;
  /** The live level slot (src/audio/live-level.ts): measured here, as read, only while the page has watchers. */
  liveLevel?: SharedArrayBuffer;
}

export interface SerializedError {
  kind: "alsa" | "device" | "other";
  message: string;
  help?: string;
  rc?: number;
}

export type CaptureReply =
  | { type: "started"; params: ActualParams; startWallMs: number }
  | { type: "failed"; error: SerializedError }
  | { type: "stopped" };

function serialize(error: unknown): SerializedError {
  const help = error instanceof AcoupiError ? error.help : undefined;
  const base = help === undefined ? {} : { help };
  if (error instanceof AlsaError) return { kind: "alsa", message: error.message, rc: error.rc, ...base };
  if (error instanceof DeviceError) return { kind: "device", message: error.message, ...base };
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { kind: "other", message };
}

function reply(message: CaptureReply): void {
  self.postMessage(message);
}

function capture(pcm: CapturePcm, ring: FrameRing, samplerate: number, level: LiveLevel | null): void {
  const slotFrames = ring.buffers.slotFrames;
  let nextFrame = 0;
  let lastReadMs = performance.now();
  for (;;) {
    const slot = ring.acquire();
    if (slot === null) return;
    let rc = pcm.readi(slot, slotFrames);
    while (rc === -EINTR || rc === -EAGAIN) rc = pcm.readi(slot, slotFrames);
    if (rc === -EPIPE || rc === -ESTRPIPE) {
      const lost = Math.max(0, Math.round(((performance.now() - lastReadMs) / 1000) * samplerate));
      pcm.recover(rc);
      ring.count("xrun", 1);
      ring.count("lost", lost);
      nextFrame += lost;
      lastReadMs = performance.now();
      continue;
    }
    if (rc < 0) throw alsaError(rc, "snd_pcm_readi", pcm.device);
    lastReadMs = performance.now();
    if (rc === 0) continue;
    level?.feed(slot.subarray(0, rc * pcm.params.channels), samplerate * pcm.params.channels);
    ring.commit(nextFrame, rc);
    ring.count("captured", rc);
    nextFrame += rc;
  }
}

function run(start: CaptureStart): void {
  const ring = FrameRing.attach(start.ring);
  let pcm: CapturePcm;
  try {
    pcm = CapturePcm.open(
      start.device,
      { samplerate: start.samplerate, channels: start.channels, latencyUs: start.latencyUs },
      start.configText === null ? {} : { configText: start.configText },
    );
  } catch (error) {
    reply({ type: "failed", error: serialize(error) });
    ring.markEnded();
    reply({ type: "stopped" });
    return;
  }
  try {
    // The stream starts on the first read, so this is the wall time of its first frame.
    reply({ type: "started", params: pcm.params, startWallMs: Date.now() });
    capture(pcm, ring, pcm.params.samplerate, start.liveLevel === undefined ? null : new LiveLevel(start.liveLevel));
  } catch (error) {
    reply({ type: "failed", error: serialize(error) });
  } finally {
    pcm.close();
    ring.markEnded();
    reply({ type: "stopped" });
  }
}

self.onmessage = (event: MessageEvent<CaptureStart>) => {
  if (event.data.type === "start") run(event.data);
};
