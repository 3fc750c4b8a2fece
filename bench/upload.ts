/**
 * @module Upload figures against a real S3 server (s3rver) on loopback: throughput of a 256 MiB
 * recording (multipart), side by side with Bun's own S3 client writing the same file, and the
 * uploader's peak RSS above idle while it uploads a sparse 5 GiB RF64 file (target: under 20 MB
 * above idle, i.e. streaming, not buffering). Figures only, no assertions.
 * Run: ./node_modules/.bin/bun bench/upload.ts [--rf64-gib 5] [--mib 256]
 */
import { closeSync, mkdirSync, openSync, writeSync, ftruncateSync } from "node:fs";
import { join } from "node:path";
import { wideWavHeader } from "../src/audio/rf64.ts";
import { objectKey } from "../src/upload/object-key.ts";
import { S3_KEY_ID, S3_SECRET, startS3Server } from "../test/helpers/s3-server.ts";
import { DEVICE, makeSensorStore } from "../test/upload/_sensor-store.ts";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const MIB = arg("mib", 256);
const RF64_GIB = arg("rf64-gib", 5);
const rssMiB = () => process.memoryUsage.rss() / 2 ** 20;

const s3 = await startS3Server("field-data", { separate: true });
const sensor = makeSensorStore([MIB * 2 ** 20]);
try {
  const file = sensor.recordings[0]!.path as string;
  const uploader = sensor.uploader({ endpoint: s3.endpoint, prefix: "bench" });
  let t = performance.now();
  const result = await uploader.run();
  const oursS = (performance.now() - t) / 1000;
  if (result.error !== null) throw new Error(result.error);

  const client = new Bun.S3Client({ endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: S3_KEY_ID, secretAccessKey: S3_SECRET, region: "us-east-1" });
  t = performance.now();
  await client.write("bench/bun-client.wav", Bun.file(file), { partSize: 5 * 2 ** 20 });
  const bunS = (performance.now() - t) / 1000;
  console.log(`Upload of ${MIB} MiB to s3rver on loopback (5 MiB parts):`);
  console.log(`  acoupi uploader (hash, parts, verify): ${oursS.toFixed(1)} s, ${(MIB / oursS).toFixed(1)} MiB/s`);
  console.log(`  Bun.S3Client.write (no hash, no verify): ${bunS.toFixed(1)} s, ${(MIB / bunS).toFixed(1)} MiB/s (ratio ${(oursS / bunS).toFixed(2)}x)`);

  // A sparse RF64 recording of RF64_GIB GiB, saved like any other.
  const bytes = RF64_GIB * 2 ** 30;
  const rf64 = join(sensor.dir, "recordings/2024/05/03/night.wav");
  mkdirSync(join(sensor.dir, "recordings/2024/05/03"), { recursive: true });
  const fd = openSync(rf64, "w");
  writeSync(fd, wideWavHeader({ samplerate: 384000, channels: 1, bitsPerSample: 16 }, bytes - 80));
  ftruncateSync(fd, bytes);
  closeSync(fd);
  const recording = { ...sensor.recordings[0]!, id: crypto.randomUUID(), created_on: new Date(Date.UTC(2024, 4, 3)), path: rf64 };
  sensor.store.storeRecording(recording);
  sensor.store.updateRecordingPath(recording, rf64, "saved");
  Bun.gc(true);
  await Bun.sleep(200);
  const idle = rssMiB();
  let peak = idle;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB());
  }, 20);
  t = performance.now();
  const big = await uploader.run();
  const bigS = (performance.now() - t) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, rssMiB());
  if (big.error !== null) throw new Error(big.error);
  const key = objectKey("bench", DEVICE, recording.created_on, rf64);
  console.log(`Upload of a sparse ${RF64_GIB} GiB RF64 file (${key}): ${bigS.toFixed(0)} s, ${((RF64_GIB * 1024) / bigS).toFixed(1)} MiB/s`);
  console.log(`  RSS idle ${idle.toFixed(1)} MiB, peak ${peak.toFixed(1)} MiB: ${(peak - idle).toFixed(1)} MiB above idle (target < 20 MB)`);
} finally {
  sensor.cleanup();
  await s3.stop();
}
