/**
 * @module The fake microphone for tests and benchmarks: an ALSA `file` PCM over the `null` PCM
 * that reads a raw S16_LE file as its capture input, bit-exact. `createFakeMic` writes the raw
 * infile (from samples, a copy of a raw file, or a named pipe the test feeds by hand) into a temp
 * folder and returns the device name together with three ways to reach it: the in-memory config
 * text (for AlsaRecorder's `alsaConfig`), an `.asoundrc` in the temp folder, and `env` (HOME set to
 * that folder) for child processes such as `arecord` or the compiled binary. The device reads
 * faster than real time, and after the infile ends it returns silence.
 */
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type FakeMicSource = Int16Array | { rawFile: string } | { fifo: true };

export interface FakeMic {
  /** The ALSA PCM name, "fakemic" unless another was asked for. */
  device: string;
  /** The temp folder holding the infile and `.asoundrc`. */
  dir: string;
  /** The raw infile (a named pipe for `{ fifo: true }`). */
  rawPath: string;
  /** `pcm.<device> { … }` in asoundrc syntax, for an in-memory ALSA configuration. */
  configText: string;
  asoundrcPath: string;
  /** Environment overrides that make `device` visible to a child process through `~/.asoundrc`. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export interface FakeMicOptions {
  device?: string;
  /** A folder to create the temp folder in; the OS temp folder by default. */
  parent?: string;
}

/** The asoundrc text for a fake capture PCM named `device` that reads `rawPath`. */
export function fakeMicConfig(device: string, rawPath: string): string {
  const quoted = JSON.stringify(rawPath);
  return [
    `pcm.${device} {`,
    "  type file",
    "  slave { pcm { type null } }",
    '  file "/dev/null"',
    `  infile ${quoted}`,
    '  format "raw"',
    '  hint { show on description "acoupi fake microphone (raw S16_LE file)" }',
    "}",
    "",
  ].join("\n");
}

export async function createFakeMic(source: FakeMicSource, options: FakeMicOptions = {}): Promise<FakeMic> {
  const device = options.device ?? "fakemic";
  const dir = await mkdtemp(join(options.parent ?? tmpdir(), "acoupi-fakemic-"));
  const rawPath = join(dir, "input.raw");
  if (source instanceof Int16Array) {
    await writeFile(rawPath, new Uint8Array(source.buffer, source.byteOffset, source.byteLength));
  } else if ("rawFile" in source) {
    await copyFile(source.rawFile, rawPath);
  } else {
    const made = Bun.spawnSync(["mkfifo", rawPath]);
    if (made.exitCode !== 0) throw new Error(`mkfifo ${rawPath} failed: ${made.stderr.toString()}`);
  }
  const configText = fakeMicConfig(device, rawPath);
  const asoundrcPath = join(dir, ".asoundrc");
  await writeFile(asoundrcPath, configText);
  return {
    device,
    dir,
    rawPath,
    configText,
    asoundrcPath,
    env: { HOME: dir },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A deterministic test signal: a sweep plus a counter pattern, so any dropped or repeated frame shows. */
export function testSignal(frames: number, channels = 1, seed = 1): Int16Array {
  const samples = new Int16Array(frames * channels);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) {
      const tone = Math.round(12000 * Math.sin((f * (seed + c) * 2 * Math.PI) / 97));
      samples[f * channels + c] = ((tone + ((f * 31 + c * 7919) % 4001)) << 16) >> 16;
    }
  }
  return samples;
}
