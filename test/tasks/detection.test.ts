/**
 * @module The detection task with real parts: OnnxModel on a tiny energy model, the threshold
 * cleaner, acoupi's detection-threshold message builder, a SqliteStore and a SqliteMessageStore
 * attached to its connection. The model output and its messages are stored in one transaction
 * (an outbox that refuses the insert, through a real SQLite trigger, leaves no output behind
 * either), and a recording a processing filter skips gets an empty output so file management
 * does not wait for it.
 */
import { storeReads } from "../helpers/store-reads.ts";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola } from "consola";
import { dateFileManager } from "../../src/components/file-managers/date-file-manager.ts";
import { detectionThresholdMessage } from "../../src/components/message-builders/detection-threshold-message.ts";
import { SqliteMessageStore } from "../../src/components/message-stores/sqlite-message-store.ts";
import { ModelConfigSchema, OnnxModel } from "../../src/components/models/onnx-model.ts";
import { thresholdCleaner } from "../../src/components/output-cleaners/threshold-cleaner.ts";
import { rmsAbove } from "../../src/components/processing-filters/rms-above.ts";
import type { ProcessingFilter } from "../../src/components/processing-filters/types.ts";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import type { Deployment, Recording } from "../../src/data/index.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { detectionTask } from "../../src/tasks/detection.ts";
import { fileManagementTask } from "../../src/tasks/file-management.ts";
import { deployment as makeDeployment, recording as makeRecording } from "../contracts/store.contract.ts";
import { energyModel } from "../helpers/onnx-builder.ts";
import { tone, writeWav } from "../helpers/model-fixtures.ts";

const START = new Date("2026-05-01T06:00:00Z");
const quiet = createConsola({ level: -999 });
let modelDir: string;
let model: OnnxModel;
let dir: string;
let store: SqliteStore;
let outbox: SqliteMessageStore;
let site: Deployment;

beforeAll(() => {
  modelDir = mkdtempSync(join(tmpdir(), "acoupi-det-model-"));
  const path = join(modelDir, "energy.onnx");
  writeFileSync(path, energyModel(8000));
  // Scores per 0.5 s window: mean |x| and mean x², so a 0.5-amplitude tone scores about 0.32 and 0.125.
  model = new OnnxModel(ModelConfigSchema.parse({ path, labels: ["loudness", "power"], samplerate: 16000, window: 0.5, threshold: 0 }));
});
afterAll(async () => {
  await model.close();
  rmSync(modelDir, { recursive: true, force: true });
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-det-task-"));
  mkdirSync(join(dir, "tmp"));
  store = new SqliteStore({ db_metadata: join(dir, "metadata.db") });
  outbox = new SqliteMessageStore({ messages_db: join(dir, "messages.db") }, { connection: store.connection, logger: quiet });
  site = makeDeployment();
  store.storeDeployment(site);
});
afterEach(() => {
  outbox.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function storedRecording(amplitude: number): Promise<Recording> {
  const id = crypto.randomUUID();
  const path = await writeWav(join(dir, "tmp", `${id}.wav`), [tone(440, 1, 16000, amplitude)], 16000, "int16");
  const rec = makeRecording({ id, deployment: site, path, created_on: START, samplerate: 16000, duration: 1 });
  store.storeRecording(rec);
  return rec;
}

function task(processingFilters: ProcessingFilter[] = []) {
  return detectionTask({
    model,
    store,
    outbox,
    processingFilters,
    outputCleaners: [thresholdCleaner(0.2)],
    messageBuilders: [detectionThresholdMessage(0.2)],
    clock: new ManualClock(START),
    logger: quiet,
  });
}

describe("detection task", () => {
  test("the cleaned model output and its detection message are stored together", async () => {
    const rec = await storedRecording(0.5);
    const detection = task();
    const output = await detection.run(rec);
    // The cleaner drops "power" (0.125): only "loudness" is left, once per 0.5 s window.
    expect(output?.detections.map((d) => d.tags[0]?.tag.value)).toEqual(["loudness", "loudness"]);
    const [stored] = storeReads(store).getRecordings([rec.id]);
    expect(stored?.modelOutputs).toHaveLength(1);
    expect(stored?.modelOutputs[0]?.name_model).toBe("energy");
    expect(stored?.modelOutputs[0]?.detections).toHaveLength(2);
    const messages = outbox.getUnsentMessages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.kind).toBe("detection");
    const content = JSON.parse(messages[0]?.content ?? "{}") as { name_model: string; recording: { id: string }; detections: unknown[] };
    expect(content.name_model).toBe("energy");
    expect(content.recording.id).toBe(rec.id);
    expect(content.detections).toHaveLength(2);
    expect(detection.status()).toEqual({ degraded: null, figures: { processed: 1, skipped: 0, detections: 2, messages: 1 } });
  });

  test("if the message cannot be stored the model output is not stored either", async () => {
    const rec = await storedRecording(0.5);
    store.connection.run(
      "CREATE TRIGGER outbox.refuse_messages BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'outbox refuses messages'); END",
    );
    await expect(task().run(rec)).rejects.toThrow("outbox refuses messages");
    expect(storeReads(store).getRecordings([rec.id])[0]?.modelOutputs).toEqual([]);
    const count = store.connection.query("SELECT count(*) AS n FROM model_outputs").get() as { n: number };
    expect(count.n).toBe(0);
    expect(store.connection.query("SELECT count(*) AS n FROM detections").get()).toEqual({ n: 0 });
    // Once the outbox takes messages again, the same recording goes through.
    store.connection.run("DROP TRIGGER outbox.refuse_messages");
    await task().run(rec);
    expect(storeReads(store).getRecordings([rec.id])[0]?.modelOutputs).toHaveLength(1);
    expect(outbox.getUnsentMessages()).toHaveLength(1);
  });

  test("a recording a processing filter skips gets an empty output, so file management files it at once", async () => {
    const faint = await storedRecording(0.001);
    const detection = task([rmsAbove(-30)]);
    expect(await detection.run(faint)).toBeUndefined();
    const outputs = storeReads(store).getRecordings([faint.id])[0]?.modelOutputs ?? [];
    expect(outputs.map((o) => [o.name_model, o.detections.length])).toEqual([["energy", 0]]);
    expect(outbox.getUnsentMessages()).toEqual([]);
    expect(detection.status().figures).toMatchObject({ processed: 0, skipped: 1 });

    const filing = fileManagementTask({
      store,
      fileManagers: [dateFileManager({ directory: join(dir, "recordings") })],
      savingFilters: [],
      requiredModels: () => [model.name],
      maxWaitSeconds: 3600,
      onTimeout: "save",
      clock: new ManualClock(START),
      logger: quiet,
    });
    expect(filing.run()).toMatchObject({ saved: 1, waiting: 0, timedOut: 0 });
  });

  test("a model failing three times in a row makes the task throw and shows as degraded until the next success", async () => {
    const detection = task();
    for (let i = 0; i < 3; i++) {
      const rec = await storedRecording(0.5);
      unlinkSync(rec.path ?? "");
      await expect(detection.run(rec)).rejects.toThrow(rec.path ?? "");
      expect(storeReads(store).getRecordings([rec.id])[0]?.modelOutputs).toEqual([]);
      if (i < 2) expect(detection.status().degraded ?? null).toBeNull();
      else expect(detection.status().degraded).toStartWith("model failing: ");
    }
    const next = await storedRecording(0.5);
    await detection.run(next);
    expect(detection.status().degraded).toBeNull();
  });

  test("without an outbox the output is stored and no message is built", async () => {
    const rec = await storedRecording(0.5);
    const detection = detectionTask({
      model, store, outbox: null, processingFilters: [], outputCleaners: [], messageBuilders: [detectionThresholdMessage(0.2)],
      clock: new ManualClock(START), logger: quiet,
    });
    await detection.run(rec);
    expect(storeReads(store).getRecordings([rec.id])[0]?.modelOutputs).toHaveLength(1);
    expect(outbox.getUnsentMessages()).toEqual([]);
    expect(detection.status().figures).toMatchObject({ messages: 0 });
  });
});
