/**
 * @module The bounded ring between the capture Worker and the main thread: a fixed number of
 * slots in SharedArrayBuffers, each holding one read of interleaved S16 frames and the stream
 * frame index of its first sample. The worker blocks (`Atomics.wait`) while the ring is full and
 * never drops; the main thread waits with `Atomics.waitAsync`, so it stays free. Sequence
 * counters are Int32 and wrap; the slot count is a power of two so `seq & mask` stays continuous
 * across the wrap. The ring also carries the stop flag and the capture counters.
 */

const WRITE = 0;
const READ = 1;
const STOP = 2;
const ENDED = 3;

const CAPTURED = 0;
const LOST = 1;
const XRUNS = 2;

/** The shared memory of one ring, posted to the worker. */
export interface RingBuffers {
  control: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  meta: SharedArrayBuffer;
  data: SharedArrayBuffer;
  slots: number;
  slotFrames: number;
  channels: number;
}

export interface RingChunk {
  /** Stream frame index of the first frame (gaps from overruns are skipped over). */
  frameIndex: number;
  frames: number;
  /** A view into shared memory, valid until `release()`. */
  samples: Int16Array;
}

export interface CaptureCounters {
  framesCaptured: number;
  framesLost: number;
  xruns: number;
}

export class FrameRing {
  readonly buffers: RingBuffers;
  #control: Int32Array;
  #stats: BigInt64Array;
  #meta: Float64Array;
  #data: Int16Array;
  #mask: number;
  #slotSamples: number;

  private constructor(buffers: RingBuffers) {
    this.buffers = buffers;
    this.#control = new Int32Array(buffers.control);
    this.#stats = new BigInt64Array(buffers.stats);
    this.#meta = new Float64Array(buffers.meta);
    this.#data = new Int16Array(buffers.data);
    this.#mask = buffers.slots - 1;
    this.#slotSamples = buffers.slotFrames * buffers.channels;
  }

  /** A ring of at least `minSlots` slots (rounded up to a power of two) of `slotFrames` frames. */
  static create(minSlots: number, slotFrames: number, channels: number): FrameRing {
    let slots = 2;
    while (slots < minSlots) slots *= 2;
    return new FrameRing({
      control: new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT),
      stats: new SharedArrayBuffer(3 * BigInt64Array.BYTES_PER_ELEMENT),
      meta: new SharedArrayBuffer(slots * 2 * Float64Array.BYTES_PER_ELEMENT),
      data: new SharedArrayBuffer(slots * slotFrames * channels * Int16Array.BYTES_PER_ELEMENT),
      slots,
      slotFrames,
      channels,
    });
  }

  /** The same ring, seen from another thread. */
  static attach(buffers: RingBuffers): FrameRing {
    return new FrameRing(buffers);
  }

  // --- writer side (the worker; these calls may block) ---

  /** Waits for a free slot and returns it zeroed, or null once a stop was requested. */
  acquire(): Int16Array | null {
    for (;;) {
      if (this.stopRequested()) return null;
      const write = Atomics.load(this.#control, WRITE);
      const read = Atomics.load(this.#control, READ);
      if (((write - read) | 0) <= this.#mask) {
        const start = (write & this.#mask) * this.#slotSamples;
        const slot = this.#data.subarray(start, start + this.#slotSamples);
        slot.fill(0);
        return slot;
      }
      Atomics.wait(this.#control, READ, read);
    }
  }

  /** Publishes the slot from `acquire` holding `frames` frames that start at `frameIndex`. */
  commit(frameIndex: number, frames: number): void {
    const write = Atomics.load(this.#control, WRITE);
    const slot = write & this.#mask;
    this.#meta[slot * 2] = frameIndex;
    this.#meta[slot * 2 + 1] = frames;
    Atomics.store(this.#control, WRITE, (write + 1) | 0);
    Atomics.notify(this.#control, WRITE);
  }

  /** Marks the writer finished (stopped or failed) and wakes the reader. */
  markEnded(): void {
    Atomics.store(this.#control, ENDED, 1);
    Atomics.notify(this.#control, WRITE);
  }

  count(counter: "captured" | "lost" | "xrun", n: number): void {
    const index = counter === "captured" ? CAPTURED : counter === "lost" ? LOST : XRUNS;
    Atomics.add(this.#stats, index, BigInt(n));
  }

  // --- reader side (the main thread; never blocks) ---

  /** The oldest unread chunk, waiting for one; null when the writer has ended and all is read. */
  async next(): Promise<RingChunk | null> {
    for (;;) {
      const read = Atomics.load(this.#control, READ);
      const write = Atomics.load(this.#control, WRITE);
      if (write !== read) {
        const slot = read & this.#mask;
        const frames = this.#meta[slot * 2 + 1] ?? 0;
        const start = slot * this.#slotSamples;
        return {
          frameIndex: this.#meta[slot * 2] ?? 0,
          frames,
          samples: this.#data.subarray(start, start + frames * this.buffers.channels),
        };
      }
      if (Atomics.load(this.#control, ENDED) === 1) return null;
      const waiting = Atomics.waitAsync(this.#control, WRITE, write);
      if (waiting.async) await waiting.value;
    }
  }

  /** Frees the chunk `next()` returned, waking the writer if it waits for room. */
  release(): void {
    Atomics.add(this.#control, READ, 1);
    Atomics.notify(this.#control, READ);
  }

  /** Asks the writer to stop, waking it if it waits for room. */
  requestStop(): void {
    Atomics.store(this.#control, STOP, 1);
    Atomics.notify(this.#control, READ);
  }

  stopRequested(): boolean {
    return Atomics.load(this.#control, STOP) === 1;
  }

  ended(): boolean {
    return Atomics.load(this.#control, ENDED) === 1;
  }

  counters(): CaptureCounters {
    return {
      framesCaptured: Number(Atomics.load(this.#stats, CAPTURED)),
      framesLost: Number(Atomics.load(this.#stats, LOST)),
      xruns: Number(Atomics.load(this.#stats, XRUNS)),
    };
  }
}
