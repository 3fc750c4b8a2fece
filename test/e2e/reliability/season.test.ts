/**
 * Reliability: a season in minutes. The compiled binary records 1 s files back to back at
 * 192 kHz (384 KB each) onto a 40 MB tmpfs that also holds both databases; the microphone
 * alternates a loud tone and faint noise second by second, and a tiny energy model (real ONNX)
 * finds a "loud" detection in every other recording. The ceiling is 20% of the filesystem, so
 * retention must start deleting after about twenty recordings. Recording must never pause for
 * space, the recordings must stay under the ceiling, the oldest negatives must go first (a
 * recording with detections only once no negative is left), and rows and files must agree.
 * Needs root for the tmpfs; without it the test says so and uses a size ceiling on the real disk.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { treeBytes } from "../../../src/components/retention/disk-usage.ts";
import { energyModel } from "../../helpers/onnx-builder.ts";
import { inspectStores } from "./_invariants.ts";
import { deploy, MIC_DEVICE, mustRun, readStatusFile, recordingCount, binaryUnderTest, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

const RATE = 192_000;
const MIC_SECONDS = 150;
const TMPFS_BYTES = 40 * 1024 * 1024;

/** Loud 1 kHz tone in even seconds, faint noise in odd ones (raw S16_LE). */
function alternatingSignal(): Buffer {
  const samples = new Int16Array(RATE * MIC_SECONDS);
  let seed = 7;
  for (let i = 0; i < samples.length; i++) {
    const second = Math.floor(i / RATE);
    seed = (seed * 1103515245 + 12345) >>> 0;
    samples[i] = second % 2 === 0 ? Math.round(29000 * Math.sin((2 * Math.PI * 1000 * i) / RATE)) : ((seed >>> 16) % 200) - 100;
  }
  return Buffer.from(samples.buffer);
}

function usedBytes(rig: Deployment): number {
  return treeBytes(rig.files.recordings) + treeBytes(rig.files.tmp);
}

interface Row {
  id: string;
  created_on: string;
  state: string;
  path: string | null;
  purged_on: string | null;
  positive: number;
}

describe("a season in minutes", () => {
  let rig: Deployment;
  let disk = "";
  let mounted = false;
  let ceiling = 0;

  beforeAll(() => {
    const binary = binaryUnderTest();
    disk = mkdtempSync(join(tmpdir(), "acoupi-season-"));
    const mount = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${TMPFS_BYTES},mode=0755`, "tmpfs", disk], { stderr: "pipe" });
    mounted = mount.exitCode === 0;
    if (!mounted) console.log(`season: cannot mount a tmpfs (${mount.stderr.toString().trim()}); using an 8 MB size ceiling on the real disk`);
    rig = deploy({ binary, acoupiHome: join(disk, ".acoupi") });
    writeFileSync(rig.mic.rawPath, alternatingSignal());
    const model = join(rig.dir, "energy.onnx");
    writeFileSync(model, energyModel(8000));
    const stats = statfsSync(disk);
    ceiling = mounted ? Math.floor(0.2 * Number(stats.blocks) * Number(stats.bsize)) : 8_000_000;
    mustRun(rig, [
      "setup", "--program", "detection", "--no-prompt", "--timezone", "UTC",
      "--microphone.device_name", MIC_DEVICE, "--microphone.samplerate", String(RATE),
      "--recording.duration", "1", "--recording.interval", "1",
      "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "1",
      "--file_management.interval", "1",
      "--model.path", model, "--model.labels.0", "loud", "--model.labels.1", "energy", "--model.samplerate", "16000", "--model.window", "0.5",
      "--detections.threshold", "0.5",
      "--storage.ceiling", mounted ? "20%" : `${ceiling}B`, "--storage.min_free", "4MB", "--storage.keep_per_label", "3", "--storage.interval", "5",
      "--messaging.message_send_interval", "1", "--messaging.heartbeat_interval", "5",
    ]);
  }, 120_000);

  afterAll(() => {
    rig?.cleanup();
    if (mounted) Bun.spawnSync(["umount", "-l", disk]);
    if (disk !== "") rmSync(disk, { recursive: true, force: true });
  });

  test("recording never stops for space, usage stays under the ceiling, the oldest negatives go first, and rows and files agree", async () => {
    const runner = rig.spawn(["start", "--name", "season", "--no-check", "--foreground"]);
    let maxUsed = 0;
    const pauses = new Set<string>();
    const purgedFigures: number[] = [];
    await waitFor("sixty recordings", () => {
      // Two walks back to back: the runner may purge one file and record the next while this
      // process walks the two folders, so one walk can count both; a real excess lasts until
      // the next recording's check and shows in both.
      const used = Math.min(usedBytes(rig), usedBytes(rig));
      maxUsed = Math.max(maxUsed, used);
      const status = readStatusFile(rig);
      const pausedBy = status?.components.recording?.paused_by;
      if (typeof pausedBy === "string" && !pausedBy.startsWith("outside")) pauses.add(pausedBy);
      const purged = status?.components.storage?.purged;
      if (typeof purged === "number") purgedFigures.push(purged);
      return status?.pid === runner.pid && recordingCount(rig) >= 60;
    }, 150_000, 200);
    const storage = mustRun(rig, ["storage", "--json"]);
    expect(await terminate(runner)).toBe(0);

    expect([...pauses]).toEqual([]);
    expect(Math.max(...purgedFigures)).toBeGreaterThan(10);
    expect(maxUsed).toBeLessThanOrEqual(ceiling);

    const db = new Database(rig.files.metadata, { readonly: true });
    const rows = db
      .query<Row, []>(
        `SELECT r.id, r.created_on, r.state, r.path, r.purged_on, EXISTS (SELECT 1 FROM model_outputs m JOIN detections d ON d.model_output_id = m.id WHERE m.recording_id = r.id) AS positive
         FROM recordings r ORDER BY r.created_on`,
      )
      .all();
    db.close();
    const purged = rows.filter((r) => r.state === "purged");
    const savedNegatives = rows.filter((r) => r.state === "saved" && r.positive === 0);
    const purgedNegatives = purged.filter((r) => r.positive === 0);
    expect(purgedNegatives.length).toBeGreaterThan(10);
    expect(rows.filter((r) => r.positive === 1).length).toBeGreaterThan(20);
    // The oldest negatives went: every purged negative is older than every negative still kept.
    const newestPurged = purgedNegatives.at(-1)?.created_on ?? "";
    expect(savedNegatives.every((r) => r.created_on > newestPurged)).toBe(true);
    // A recording with detections went only when no older negative was kept.
    for (const r of purged.filter((p) => p.positive === 1)) expect(savedNegatives.some((n) => n.created_on < r.created_on)).toBe(false);
    for (const r of purged) expect(r.path === null && r.purged_on !== null).toBe(true);

    const inspection = inspectStores(rig);
    expect(inspection.problems).toEqual([]);
    expect(inspection.partsInTemp).toEqual([]);
    // Heartbeats carry the retention figures.
    const purgedInHeartbeats = [...inspection.messages.values()]
      .filter((m) => m.kind === "heartbeat")
      .flatMap((m) => (JSON.parse(m.content) as { metrics: Array<{ name: string; value: number }> }).metrics)
      .filter((metric) => metric.name === "retention_purged")
      .map((metric) => metric.value);
    expect(Math.max(...purgedInHeartbeats)).toBeGreaterThan(0);
    const figures = JSON.parse(storage) as { used_bytes: number; ceiling_bytes: number };
    expect(figures.ceiling_bytes).toBe(ceiling);
    expect(figures.used_bytes).toBeLessThanOrEqual(ceiling);
  }, 240_000);
});
