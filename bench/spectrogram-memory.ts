/**
 * @module Benchmark: the peak memory of drawing the spectrogram of a 1-hour, 48 kHz, 16-bit mono
 * recording (346 MB) with the compiled binary's `acoupi spectrogram`, which reads only the frames
 * each column needs, next to the binary doing nothing else (`acoupi --version`: the idle floor)
 * and to the earlier way (every sample decoded to float, then drawn; run from source), each in its
 * own process, peak RSS from GNU time. A 3 s file is drawn too, to show the peak does not follow
 * the length. Target: ≤ 64 MB above idle. Prints figures only.
 * Run: `./node_modules/.bin/bun bench/spectrogram-memory.ts`.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wavHeader } from "../src/audio/wav.ts";
import { buildBinary } from "../test/helpers/binaries.ts";
import { REPO } from "../test/helpers/cli.ts";

const RATE = 48_000;

/** Writes `seconds` of a chirp at RATE as a 16-bit mono WAV, a minute at a time. */
function writeWav(path: string, seconds: number): void {
  const fd = openSync(path, "w");
  try {
    writeSync(fd, wavHeader({ samplerate: RATE, channels: 1, bitsPerSample: 16 }, seconds * RATE * 2));
    const block = new Int16Array(Math.min(seconds, 60) * RATE);
    for (let done = 0; done < seconds; done += 60) {
      for (let i = 0; i < block.length; i++) block[i] = Math.round(8000 * Math.sin((2 * Math.PI * (2000 + 10 * done) * i) / RATE));
      writeSync(fd, new Uint8Array(block.buffer, 0, Math.min(60, seconds - done) * RATE * 2));
    }
  } finally {
    closeSync(fd);
  }
}

/** Peak RSS in MB of a command, from GNU time's %M (KiB). */
function peakMb(argv: string[]): number {
  const proc = Bun.spawnSync(["/usr/bin/time", "-f", "%M", ...argv], { cwd: REPO, env: { ...process.env, NO_COLOR: "1", HOME: tmpdir() }, stdout: "ignore", stderr: "pipe" });
  const lines = proc.stderr.toString().trim().split("\n");
  if (proc.exitCode !== 0) throw new Error(`${argv.join(" ")} failed:\n${lines.join("\n")}`);
  return Number(lines[lines.length - 1]) / 1024;
}

const dir = mkdtempSync(join(tmpdir(), "acoupi-spectrogram-memory-"));
try {
  const binary = buildBinary("x64");
  const hour = join(dir, "hour.wav");
  const short = join(dir, "short.wav");
  writeWav(hour, 3600);
  writeWav(short, 3);
  const earlier = join(dir, "earlier.ts");
  writeFileSync(
    earlier,
    [
      `import { readWavSamples, mixdownMono } from "${REPO}/src/audio/read-wav-samples.ts";`,
      `import { renderSpectrogram } from "${REPO}/src/report/spectrogram/render.ts";`,
      `import { encodePng } from "${REPO}/src/report/spectrogram/png.ts";`,
      "const wav = await readWavSamples(process.argv[2]);",
      `await Bun.write(process.argv[3], encodePng(renderSpectrogram({ samples: mixdownMono(wav), samplerate: wav.samplerate, title: "x" })));`,
    ].join("\n"),
  );
  const idle = peakMb([binary, "--version"]);
  const rows: Array<[string, number]> = [
    ["acoupi --version (idle floor)", idle],
    ["acoupi spectrogram, 3 s file", peakMb([binary, "spectrogram", short, "--out", join(dir, "short.png"), "--db", join(dir, "none.db")])],
    ["acoupi spectrogram, 1 h file (streamed)", peakMb([binary, "spectrogram", hour, "--out", join(dir, "hour.png"), "--db", join(dir, "none.db")])],
    ["earlier way (decode all, from source), 1 h", peakMb([process.execPath, earlier, hour, join(dir, "earlier.png")])],
    ["bun from source, doing nothing", peakMb([process.execPath, "-e", "0"])],
  ];
  console.log("Peak RSS drawing a spectrogram (1 h = 3600 s at 48 kHz, 16-bit mono, 346 MB)");
  for (const [name, mb] of rows) console.log(`  ${name.padEnd(46)} ${mb.toFixed(1).padStart(7)} MB`);
  const streamed = rows[2]?.[1] ?? 0;
  console.log(`  streamed 1 h above idle: ${(streamed - idle).toFixed(1)} MB (target ≤ 64 MB); earlier way / streamed: ${((rows[3]?.[1] ?? 0) / streamed).toFixed(1)}×`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
