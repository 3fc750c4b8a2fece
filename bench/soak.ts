/**
 * @module Soak: an accelerated day on the compiled x64 binary — 1 s recordings every second,
 * back to back, Silero VAD on each, file management, sends to a local HTTP endpoint and heartbeats
 * every second — on the fake microphone, for ACOUPI_SOAK_MINUTES (default 10). Every
 * ACOUPI_SOAK_SAMPLE_S seconds (default 30) it prints the runner's RSS, open fds and threads
 * (from /proc/<pid>), and at the end the growth after the warm-up (ACOUPI_SOAK_WARMUP_S, default
 * 60; the goal is under 5 MB) and the growth per hour it extrapolates to. It asserts nothing.
 *
 *   ./node_modules/.bin/bun bench/soak.ts
 */
import { binaryUnderTest } from "../test/helpers/deployment.ts";
import { growthAfter, runSoak } from "../test/helpers/soak.ts";

const minutes = Number(process.env.ACOUPI_SOAK_MINUTES ?? 10);
const sampleEveryS = Number(process.env.ACOUPI_SOAK_SAMPLE_S ?? 30);
const warmupS = Number(process.env.ACOUPI_SOAK_WARMUP_S ?? 60);

const binary = binaryUnderTest();
console.log(`Soak: ${minutes} min of 1 s recordings every second with Silero VAD, on ${binary}`);
console.log("     t   RSS (MB)   fds   threads   recordings   delivered");
const result = await runSoak({
  binary,
  seconds: minutes * 60,
  sampleEveryS,
  onSample: (s) =>
    console.log(
      `${String(s.t).padStart(5)} s ${(s.rssKb / 1024).toFixed(1).padStart(9)} ${String(s.fds).padStart(5)} ${String(s.threads).padStart(9)} ${String(s.recordings).padStart(12)} ${String(s.delivered).padStart(11)}`,
    ),
});
const rss = growthAfter(result.samples, warmupS, (s) => s.rssKb);
const fds = growthAfter(result.samples, warmupS, (s) => s.fds);
const spanH = ((result.samples[result.samples.length - 1]?.t ?? 0) - warmupS) / 3600;
console.log(
  `After the ${warmupS} s warm-up: RSS ${(rss.from / 1024).toFixed(1)} -> ${(rss.to / 1024).toFixed(1)} MB ` +
    `(growth ${(rss.growth / 1024).toFixed(2)} MB, goal < 5 MB; ${(rss.growth / 1024 / spanH).toFixed(1)} MB/h), ` +
    `range ${(rss.min / 1024).toFixed(1)}-${(rss.max / 1024).toFixed(1)} MB; fds ${fds.from} -> ${fds.to} (range ${fds.min}-${fds.max})`,
);
console.log(`Runner exit code ${result.exitCode}; ${result.errors.length} error lines logged${result.errors.length > 0 ? `, first: ${result.errors[0]}` : ""}`);
