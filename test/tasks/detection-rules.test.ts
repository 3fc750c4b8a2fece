/**
 * @module The detection task with species rules and the repeat-confirmation rule, with real parts:
 * OnnxModel on a tiny energy model (a tone scores "loudness" in every 0.5 s window), a SqliteStore
 * with the outbox and the decision log on its connection. A first hit is held: no output is
 * stored and no message built (so file management, which waits for the output, holds the
 * recording too) until later windows confirm it, when both outputs and their messages are stored;
 * a lone hit is dropped when the wall clock passes its wait, or at flush, and the drop is recorded
 * with the rule. A rule's drops commit with the output.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola } from "consola";
import { detectionThresholdMessage } from "../../src/components/message-builders/detection-threshold-message.ts";
import { SqliteMessageStore } from "../../src/components/message-stores/sqlite-message-store.ts";
import { ModelConfigSchema, OnnxModel } from "../../src/components/models/onnx-model.ts";
import { thresholdCleaner } from "../../src/components/output-cleaners/threshold-cleaner.ts";
import { SqliteDecisionLog } from "../../src/components/stores/decision-log.ts";
import { SqliteStore } from "../../src/components/stores/sqlite-store.ts";
import { RepeatConfirmation, WALL_GRACE_MS } from "../../src/components/species-rules/confirmation.ts";
import { excludeRule } from "../../src/components/species-rules/list-rules.ts";
import { SpeciesList } from "../../src/components/species-rules/species-list.ts";
import type { Deployment, Recording } from "../../src/data/index.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { detectionTask } from "../../src/tasks/detection.ts";
import { listDropped } from "../../src/components/stores/queries/dropped.ts";
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
let clock: ManualClock;

beforeAll(() => {
  modelDir = mkdtempSync(join(tmpdir(), "acoupi-rules-model-"));
  const path = join(modelDir, "energy.onnx");
  writeFileSync(path, energyModel(8000));
  model = new OnnxModel(ModelConfigSchema.parse({ path, labels: ["Crex crex_Corn Crake", "power"], samplerate: 16000, window: 0.5, threshold: 0 }));
});
afterAll(async () => {
  await model.close();
  rmSync(modelDir, { recursive: true, force: true });
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-rules-task-"));
  mkdirSync(join(dir, "tmp"));
  store = new SqliteStore({ db_metadata: join(dir, "metadata.db") });
  outbox = new SqliteMessageStore({ messages_db: join(dir, "messages.db") }, { connection: store.connection, logger: quiet });
  site = makeDeployment();
  store.storeDeployment(site);
  clock = new ManualClock(START);
});
afterEach(() => {
  outbox.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A 1 s recording starting `offsetS` after START: a tone (two hits) or silence (none). */
async function storedRecording(offsetS: number, amplitude: number): Promise<Recording> {
  const id = crypto.randomUUID();
  const path = await writeWav(join(dir, "tmp", `${id}.wav`), [tone(440, 1, 16000, amplitude)], 16000, "int16");
  const rec = makeRecording({ id, deployment: site, path, created_on: new Date(START.getTime() + offsetS * 1000), samplerate: 16000, duration: 1 });
  store.storeRecording(rec);
  return rec;
}

function task(options: { confirmation?: RepeatConfirmation; exclude?: SpeciesList } = {}) {
  return detectionTask({
    model,
    store,
    outbox,
    processingFilters: [],
    outputCleaners: [thresholdCleaner(0.2)],
    messageBuilders: [detectionThresholdMessage(0.2)],
    rules: options.exclude ? [excludeRule(options.exclude)] : [],
    confirmation: options.confirmation ?? null,
    decisions: new SqliteDecisionLog(store.connection),
    clock,
    logger: quiet,
  });
}

const outputsOf = (rec: Recording) => store.getRecordingsInfoByPath([rec.path as string])[0]?.modelOutputs.length ?? 0;

describe("the detection task with a confirmation rule", () => {
  test("a first hit's output and message wait until a later recording confirms it, then both are stored", async () => {
    const detection = task({ confirmation: new RepeatConfirmation({ min_hits: 3, within_s: 2, exempt: null }) });
    const first = await storedRecording(0, 0.5);
    expect(await detection.run(first)).toBeUndefined();
    expect(outputsOf(first)).toBe(0);
    expect(outbox.getUnsentMessages()).toHaveLength(0);
    expect(detection.status().figures).toMatchObject({ held: 1, processed: 0 });

    const second = await storedRecording(1, 0.5);
    const released = await detection.run(second);
    expect(released?.detections).toHaveLength(2);
    expect(outputsOf(first)).toBe(1);
    expect(outputsOf(second)).toBe(1);
    expect(outbox.getUnsentMessages()).toHaveLength(2);
    expect(detection.status().figures).toMatchObject({ held: 0, processed: 2, detections: 4 });
    expect(listDropped(store.connection, {})).toEqual([]);
  });

  test("a lone hit is dropped when the wall clock passes its wait, and the drop names the rule", async () => {
    const detection = task({ confirmation: new RepeatConfirmation({ min_hits: 3, within_s: 2, exempt: null }) });
    const lone = await storedRecording(0, 0.5);
    await detection.run(lone);
    // The later hit (0.5 s) waits until 2.5 s, plus the grace for a recording still to come.
    clock.advance(2500 + WALL_GRACE_MS - 1);
    detection.expire();
    expect(outputsOf(lone)).toBe(0);
    clock.advance(1);
    detection.expire();
    expect(outputsOf(lone)).toBe(1);
    const [stored] = store.getRecordingsInfoByPath([lone.path as string]);
    expect(stored?.modelOutputs).toHaveLength(1);
    expect(outbox.getUnsentMessages()).toHaveLength(0);
    const dropped = listDropped(store.connection, {});
    expect(dropped.map((d) => [d.label, d.start_time_s, d.rule])).toEqual([
      ["Crex crex_Corn Crake", 0.5, "confirmation.min_hits"],
      ["Crex crex_Corn Crake", 0, "confirmation.min_hits"],
    ]);
  });

  test("flush decides what still waits at stop: lone hits are dropped and the output stored", async () => {
    const detection = task({ confirmation: new RepeatConfirmation({ min_hits: 3, within_s: 2, exempt: null }) });
    const lone = await storedRecording(0, 0.5);
    await detection.run(lone);
    detection.flush();
    expect(outputsOf(lone)).toBe(1);
    expect(listDropped(store.connection, {})).toHaveLength(2);
  });

  test("a recording with no hits is not held", async () => {
    const detection = task({ confirmation: new RepeatConfirmation({ min_hits: 3, within_s: 2, exempt: null }) });
    const silent = await storedRecording(0, 0);
    const output = await detection.run(silent);
    expect(output?.detections).toEqual([]);
    expect(outputsOf(silent)).toBe(1);
  });
});

describe("the detection task with a rule", () => {
  test("an excluded species is dropped, recorded with its list line, and no message is built for it", async () => {
    const list = join(dir, "exclude.txt");
    writeFileSync(list, "# not this one\nCrex crex\n");
    const detection = task({ exclude: SpeciesList.read(list, "species.exclude") });
    const rec = await storedRecording(0, 0.5);
    const output = await detection.run(rec);
    expect(output?.detections).toEqual([]);
    expect(outbox.getUnsentMessages()).toHaveLength(0);
    const dropped = listDropped(store.connection, { label: "crex crex" });
    expect(dropped.map((d) => d.rule)).toEqual(["species.exclude", "species.exclude"]);
    expect(dropped[0]?.reason).toContain("line 2");
  });
});
