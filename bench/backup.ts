/**
 * @module `acoupi backup` figures: throughput of a first backup (256 MiB of recordings, unpaced
 * and at the default --max-rate 32M) side by side with `cp -r` of the same tree, the time of a
 * second run that has nothing new to copy, and the CPU of a running `default` deployment's runner
 * (fake ALSA microphone) while idle and while a backup runs beside it (utime + stime of all its
 * threads, from /proc/<pid>/stat). Figures only, no assertions.
 * Run: ./node_modules/.bin/bun bench/backup.ts [--mib 256]
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { acoupiPaths } from "../src/system/paths.ts";
import { readLivePid } from "../src/system/pidfile.ts";
import { deploy, waitFor } from "../test/helpers/deployment.ts";
import { demoAudio } from "../test/helpers/deployment.ts";

const i = process.argv.indexOf("--mib");
const MIB = i >= 0 ? Number(process.argv[i + 1]) : 256;
const FILE_BYTES = 5_760_044; // a minute at 48 kHz, 16-bit mono
const TICK_S = 0.01; // USER_HZ

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_S;
}

const audio = demoAudio(60);
const d = deploy({ mic: new Int16Array(audio.buffer, audio.byteOffset, audio.byteLength / 2), prefix: "acoupi-bench-backup-" });
try {
  const setup = d.run([
    "setup", "--program", "default", "--no-prompt", "--timezone", "UTC",
    "--microphone.device_name", d.mic.device, "--microphone.samplerate", "16000",
    "--recording.duration", "3", "--recording.interval", "10",
    "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "0",
  ]);
  if (setup.code !== 0) throw new Error(setup.stderr);
  const recordings = join(d.home.acoupiHome, "storages/recordings");
  const files = Math.ceil((MIB * 2 ** 20) / FILE_BYTES);
  const chunk = new Uint8Array(FILE_BYTES);
  crypto.getRandomValues(chunk.subarray(0, 65536));
  for (let n = 0; n < files; n++) {
    const dir = join(recordings, "2024/05", String(1 + (n % 28)).padStart(2, "0"));
    mkdirSync(dir, { recursive: true });
    chunk[0] = n & 0xff;
    writeFileSync(join(dir, `rec${n}.wav`), chunk);
  }
  const total = (files * FILE_BYTES) / 2 ** 20;
  const start = d.run(["start", "--name", "bench", "--no-check"]);
  if (start.code !== 0) throw new Error(start.stderr);
  const pid = await waitFor("the runner", () => readLivePid(acoupiPaths(d.home.acoupiHome).pidFile), 60_000);
  await Bun.sleep(25_000); // past its start-up
  const WINDOW_S = 20;
  let c0 = cpuSeconds(pid);
  await Bun.sleep(WINDOW_S * 1000);
  const idle = (cpuSeconds(pid) - c0) / WINDOW_S;

  /** Runs `acoupi backup` beside the runner: its seconds and the runner's CPU share meanwhile. */
  const backupBeside = async (out: string, rate: string): Promise<{ seconds: number; cpu: number }> => {
    Bun.spawnSync(["sync"]);
    c0 = cpuSeconds(pid);
    const t0 = performance.now();
    const proc = Bun.spawn([process.execPath, join(import.meta.dir, "../src/cli/main.ts"), "backup", "--out", out, "--max-rate", rate], { env: { ...process.env, ...d.env }, stdout: "ignore", stderr: "inherit" });
    if ((await proc.exited) !== 0) throw new Error("acoupi backup failed");
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, cpu: (cpuSeconds(pid) - c0) / seconds };
  };
  const out = join(d.home.home, "stick");
  const unpaced = await backupBeside(out, "0");
  const again = await backupBeside(out, "0");
  rmSync(out, { recursive: true, force: true });
  const paced = await backupBeside(out, "32M");
  rmSync(out, { recursive: true, force: true });
  Bun.spawnSync(["sync"]);
  const t = performance.now();
  Bun.spawnSync(["cp", "-r", recordings, join(d.home.home, "cp-copy")]);
  const cp = (performance.now() - t) / 1000;
  rmSync(join(d.home.home, "cp-copy"), { recursive: true, force: true });
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  console.log(`Backup of ${files} recordings (${total.toFixed(0)} MiB) to a local folder, beside a running default deployment:`);
  console.log(`  acoupi backup --max-rate 0: ${unpaced.seconds.toFixed(1)} s, ${(total / unpaced.seconds).toFixed(0)} MiB/s (snapshot, fdatasync per file, SHA-256)`);
  console.log(`  acoupi backup (32M pacing): ${paced.seconds.toFixed(1)} s, ${(total / paced.seconds).toFixed(0)} MiB/s`);
  console.log(`  cp -r (no sync, no hash):   ${cp.toFixed(1)} s, ${(total / cp).toFixed(0)} MiB/s (unpaced backup takes ${(unpaced.seconds / cp).toFixed(1)}x as long)`);
  console.log(`  second run, nothing new:    ${again.seconds.toFixed(1)} s`);
  console.log(`Runner CPU (3 s recordings every 10 s, fake microphone), share of one core:`);
  console.log(`  idle ${pct(idle)} over ${WINDOW_S} s; during the unpaced backup ${pct(unpaced.cpu)}; during the paced one ${pct(paced.cpu)}`);
  d.run(["stop"]);
} finally {
  await d.cleanup();
}
