/**
 * Reliability: capture does not wait for analysis (issue 20 §3). The compiled binary runs an
 * external program whose own model takes 3 s per recording, while a recording is scheduled every
 * second: analysis falls behind. For each `detections.backlog` policy, capture keeps every file on
 * time (no scheduled recording skipped or late, no gap between files beyond one slot), the backlog
 * follows its policy, and `acoupi status --json`, the heartbeat and /metrics show its size and age.
 */
import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../helpers/mosquitto.ts";
import { matmulChainModel } from "../../helpers/onnx-builder.ts";
import { MIC_DEVICE, deploy, mustRun, readStatusFile, binaryUnderTest, statusJsonAsync, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

const INTERVAL_S = 1;
const MODEL_S = 3;
const BACKLOG_MAX = 3;

/** A program whose model waits `slow.seconds` on each recording and finds nothing. */
const SLOW_PROGRAM = `
export default (api) => {
  const { z } = api;
  const configSchema = api.templates.DetectionProgramConfigSchema.omit({ model: true }).extend({
    slow: z.object({ seconds: z.number().positive().default(${MODEL_S}).describe("Seconds each analysis takes") }).prefault({}).describe("The slow model"),
  });
  return api.defineProgram({
    name: "slow-model",
    description: "A detection program whose model is slower than the recordings come",
    configSchema,
    workers: api.workers.DETECTION_WORKERS,
    setup(config, ctx) {
      const model = {
        name: "slow",
        async run(recording) {
          await Bun.sleep(config.slow.seconds * 1000);
          return { id: crypto.randomUUID(), name_model: "slow", recording, detections: [], created_on: new Date() };
        },
        async check() { return { subject: "model slow", lines: ["waits " + config.slow.seconds + " s per recording"] }; },
        async close() {},
      };
      api.templates.detectionProgram(ctx, config, { detection: { model } });
    },
  });
};
`;

interface Row {
  id: string;
  created_on: string;
  state: string;
  analysed: number;
}

function recordings(rig: Deployment, model = "slow"): Row[] {
  const db = new Database(rig.files.metadata, { readonly: true });
  try {
    return db
      .query<Row, [string]>(
        "SELECT r.id, r.created_on, r.state, EXISTS (SELECT 1 FROM model_outputs o WHERE o.recording_id = r.id AND o.name_model = ?1) AS analysed FROM recordings r ORDER BY r.created_on",
      )
      .all(model);
  } finally {
    db.close();
  }
}

function heartbeatContents(rig: Deployment): string[] {
  const db = new Database(rig.files.messages, { readonly: true });
  try {
    return db.query<{ content: string }, []>("SELECT content FROM messages WHERE kind = 'heartbeat' ORDER BY created_on").all().map((m) => m.content);
  } finally {
    db.close();
  }
}

type Figures = Record<string, number | string | null>;

/** The slow program (a program file whose own model waits) set up for `rig`; returns its path. */
function slowProgram(rig: Deployment): string {
  const program = join(rig.dir, "slow-model.ts");
  writeFileSync(program, SLOW_PROGRAM);
  return program;
}

/**
 * Runs `program` with `policy` until 14 recordings were scheduled; returns what it saw. `extra`
 * adds setup arguments (e.g. the `model` section of the detection program).
 */
async function runWithPolicy(rig: Deployment, program: string, policy: string, options: { webPort?: number; extra?: string[]; duration?: number } = {}) {
  const { webPort } = options;
  mustRun(rig, [
    "setup", "--program", program, "--no-prompt", "--timezone", "UTC",
    "--microphone.device_name", MIC_DEVICE, "--microphone.samplerate", "16000",
    "--recording.duration", String(options.duration ?? 0.5), "--recording.interval", String(INTERVAL_S),
    ...(options.extra ?? []),
    "--recording.schedule_start", "00:00:00", "--recording.schedule_end", "23:59:59", "--recording.min_free_mb", "1",
    "--file_management.interval", "1", "--messaging.heartbeat_interval", "1",
    "--detections.backlog", policy, "--detections.backlog_max", String(BACKLOG_MAX),
    ...(webPort === undefined ? [] : ["--web.enabled", "true", "--web.host", "127.0.0.1", "--web.port", String(webPort)]),
  ]);
  const runner = rig.spawn(["start", "--name", `capture-first-${policy}`, "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
  try {
    // Behind: recordings wait for the model, and the status file says how many and how old.
    const behind = await waitFor("the backlog to fill", () => {
      const figures = readStatusFile(rig)?.components.detection as Figures | undefined;
      return figures !== undefined && Number(figures.backlog) >= BACKLOG_MAX ? figures : undefined;
    }, 60_000);
    const report = await statusJsonAsync<{ status: { components: Record<string, Figures> } }>(rig);
    const metrics = webPort === undefined ? null : await waitFor("/metrics with the backlog", async () => {
      const body = await fetch(`http://127.0.0.1:${webPort}/metrics`).then((r) => (r.ok ? r.text() : ""), () => "");
      return /\nacoupi_analysis_backlog [1-9]/.test(body) ? body : undefined;
    }, 30_000, 250);
    await waitFor("14 scheduled recordings", () => (readStatusFile(rig)?.tasks.recording_task?.runs ?? 0) >= 14, 60_000);
    const status = readStatusFile(rig);
    return { behind, report, status, metrics };
  } finally {
    await terminate(runner);
  }
}

/** Every scheduled recording was made, on time: no skipped run, no gap over one slot. */
function expectCaptureOnTime(rows: Row[], tasks: Record<string, { runs: number; failures: number; skips?: number }>): void {
  const recording = tasks.recording_task;
  expect(recording?.failures).toBe(0);
  expect(recording?.skips ?? 0).toBe(0);
  expect(rows.length).toBeGreaterThanOrEqual(14);
  const starts = rows.map((r) => Date.parse(r.created_on) / 1000);
  const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
  // Scheduled vs recorded: as many files as slots between the first and the last, none missing.
  const slots = Math.round(((starts.at(-1) as number) - (starts[0] as number)) / INTERVAL_S) + 1;
  expect(rows.length).toBe(slots);
  expect(Math.max(...gaps)).toBeLessThan(1.75 * INTERVAL_S);
}

describe("capture does not wait for a slow model", () => {
  let rig: Deployment | undefined;
  afterEach(() => rig?.cleanup());

  test("defer: analysis falls behind in order while every file is captured on time; nothing is skipped; status and heartbeat show the backlog", async () => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 40 });
    const { behind, report, status, metrics } = await runWithPolicy(rig, slowProgram(rig), "defer", { webPort: await freePort() });
    expect(metrics).toMatch(/\nacoupi_analysis_backlog_age_seconds \d+(\.\d+)?\n/);
    expect(metrics).toContain("\nacoupi_analysis_skipped_total 0\n");
    expect(behind.backlog_policy).toBe("defer");
    expect(Number(behind.backlog_age_s)).toBeGreaterThan(0);
    expect(report.status.components.detection).toMatchObject({ backlog_policy: "defer", backlog_max: BACKLOG_MAX });
    expect(Number(report.status.components.detection?.backlog)).toBeGreaterThan(0);
    expect(Number(report.status.components.detection?.backlog_age_s)).toBeGreaterThan(0);
    const detection = status?.components.detection as Figures;
    expect(detection.backlog_skipped).toBe(0);
    expect(Number(detection.backlog_deferred)).toBeGreaterThan(0);
    const rows = recordings(rig);
    expectCaptureOnTime(rows, status?.tasks ?? {});
    // Oldest first: the analysed recordings are the earliest ones, with none left out between.
    const analysed = rows.map((r) => r.analysed === 1);
    const firstUnanalysed = analysed.indexOf(false);
    expect(firstUnanalysed).toBeGreaterThan(0);
    expect(analysed.slice(firstUnanalysed).every((a) => !a)).toBe(true);
    expect(firstUnanalysed).toBeLessThan(rows.length / 2);
    const beats = heartbeatContents(rig);
    expect(beats.some((b) => b.includes('"analysis_backlog"') && b.includes('"analysis_backlog_age"'))).toBe(true);
  }, 180_000);

  test("skip_oldest: the backlog never holds more than backlog_max; the oldest waiting recordings are filed unanalysed at once, and later ones analysed", async () => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 40 });
    const { status } = await runWithPolicy(rig, slowProgram(rig), "skip_oldest");
    const detection = status?.components.detection as Figures;
    expect(Number(detection.backlog_peak)).toBeLessThanOrEqual(BACKLOG_MAX);
    expect(Number(detection.backlog_skipped)).toBeGreaterThan(0);
    expect(detection.backlog_deferred).toBe(0);
    const rows = recordings(rig);
    expectCaptureOnTime(rows, status?.tasks ?? {});
    // Skipped ones were filed (saved, per on_timeout) while the runner ran, not held for max_wait.
    expect(Number((status?.components.file_management as Figures).timedOut)).toBeGreaterThan(0);
    const analysed = rows.map((r) => r.analysed === 1);
    const skippedBeforeAnalysed = analysed.findIndex((a, i) => !a && analysed.slice(i + 1).some(Boolean));
    expect(skippedBeforeAnalysed).toBeGreaterThanOrEqual(0);
    expect(rows.filter((r) => r.analysed === 0 && r.state === "saved").length).toBeGreaterThan(0);
  }, 180_000);

  test("thin: the backlog never holds more than backlog_max and leaves out recordings spread over the period, not only the oldest", async () => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 40 });
    const { status } = await runWithPolicy(rig, slowProgram(rig), "thin");
    const detection = status?.components.detection as Figures;
    expect(detection.backlog_policy).toBe("thin");
    expect(Number(detection.backlog_peak)).toBeLessThanOrEqual(BACKLOG_MAX);
    expect(Number(detection.backlog_skipped)).toBeGreaterThan(0);
    const rows = recordings(rig);
    expectCaptureOnTime(rows, status?.tasks ?? {});
    // Between analysed recordings there are left-out ones: coverage is spread, not a prefix.
    const analysedAt = rows.flatMap((r, i) => (r.analysed === 1 ? [i] : []));
    expect(analysedAt.length).toBeGreaterThanOrEqual(3);
    const spread = analysedAt.slice(1).map((i, k) => i - (analysedAt[k] as number));
    expect(Math.max(...spread)).toBeGreaterThan(1);
  }, 180_000);

  test("an ONNX model slower than real time runs in its Worker in the compiled binary, while every file is captured on time", async () => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 40 });
    // 6 windows per 1 s recording, each 1250 products of 200×200 matrices (20 GFLOP a window):
    // several seconds per recording even on a fast idle machine, so the backlog surely fills.
    const model = join(rig.dir, "chain.onnx");
    writeFileSync(model, matmulChainModel(8000, 40, 1250));
    const labels = join(rig.dir, "labels.txt");
    writeFileSync(labels, "a\nb\n");
    const { behind, status } = await runWithPolicy(rig, "detection", "skip_oldest", {
      duration: 1,
      extra: ["--model.path", model, "--model.labels", labels, "--model.samplerate", "16000", "--model.window", "0.5", "--model.hop", "0.1", "--detections.threshold", "0"],
    });
    expect(behind.backlog_policy).toBe("skip_oldest");
    const detection = status?.components.detection as Figures;
    expect(Number(detection.backlog_skipped)).toBeGreaterThan(0);
    expect(status?.degraded.filter((reason) => reason.startsWith("detection") || reason.startsWith("model"))).toEqual([]);
    const rows = recordings(rig, "chain");
    expectCaptureOnTime(rows, status?.tasks ?? {});
    // ORT ran in the model Worker of the compiled binary: recordings have the model's output.
    expect(rows.filter((r) => r.analysed === 1).length).toBeGreaterThan(0);
  }, 180_000);
});
