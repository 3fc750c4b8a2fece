/**
 * @module What the species rules cost per recording, against the model they follow. Figures only,
 * no assertions. A BirdNET-sized label list (6522) and the meta-model shape ([1, 3] → [1, 6522];
 * here one MatMul + Sigmoid, built like the tests' geomodel: BirdNET's real meta-model is a small
 * MLP, so its first mask costs more, and its cached masks the same); a per-species thresholds CSV
 * and an include list of every label; an output of 20 detections (a busy 3 s BirdNET window set).
 * Printed: the range model's first mask (load + run) and a cached one, the rules' time per
 * output, and a decision-log commit of 20 drops. Run: ./node_modules/.bin/bun bench/species-rules.ts
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { includeRule } from "../src/components/species-rules/list-rules.ts";
import { rangeFilterRule } from "../src/components/species-rules/range-filter.ts";
import { OnnxRangeModel } from "../src/components/species-rules/range-model.ts";
import { SpeciesList } from "../src/components/species-rules/species-list.ts";
import { readSpeciesThresholds, speciesThresholdRule } from "../src/components/species-rules/species-thresholds.ts";
import { SqliteDecisionLog } from "../src/components/stores/decision-log.ts";
import { boundingBox, type ModelOutput } from "../src/data/index.ts";
import { geoModel } from "../test/helpers/species-models.ts";

const LABELS = 6522;
const DETECTIONS = 20;
const ROUNDS = 2000;

const dir = mkdtempSync(join(tmpdir(), "acoupi-bench-rules-"));
const labels = Array.from({ length: LABELS }, (_, i) => `Genus${i} species${i}_Common ${i}`);
const labelsFile = join(dir, "labels.txt");
writeFileSync(labelsFile, labels.join("\n"));
const metaFile = join(dir, "meta.onnx");
writeFileSync(metaFile, geoModel(labels.map((_, i) => ({ lat: (i % 11) / 100, week: (i % 7) / 50, bias: -3 }))));
writeFileSync(join(dir, "thresholds.csv"), `species,threshold\n${labels.map((l, i) => `${l.split("_")[0]},${((i % 9) + 1) / 10}`).join("\n")}\n`);

const ms = (t0: number) => (performance.now() - t0).toFixed(2);
const model = new OnnxRangeModel({ path: metaFile, labels: null }, { classifierLabels: labelsFile });
let t0 = performance.now();
await model.mask(51.5, -0.1, 20);
console.log(`range model, first mask (load + run, ${LABELS} labels): ${ms(t0)} ms`);
t0 = performance.now();
for (let i = 0; i < ROUNDS; i++) await model.mask(51.5, -0.1, 20);
console.log(`range model, cached mask: ${(((performance.now() - t0) / ROUNDS) * 1000).toFixed(2)} µs`);

const deployment = { id: crypto.randomUUID(), name: "bench", latitude: 51.5, longitude: -0.1, started_on: new Date(), ended_on: null };
const recording = { id: crypto.randomUUID(), created_on: new Date("2024-05-10T05:00:00Z"), duration: 3, samplerate: 48000, deployment, path: null, audio_channels: 1, time_expansion: 1, bit_depth: 16 };
const output: ModelOutput = {
  id: crypto.randomUUID(),
  name_model: "BirdNET",
  recording,
  created_on: new Date(),
  detections: Array.from({ length: DETECTIONS }, (_, i) => ({
    id: crypto.randomUUID(),
    prediction_type: "presence" as const,
    location: boundingBox(0, 0, 3, 24000),
    detection_score: 0.5,
    tags: [{ tag: { key: "species", value: labels[i * 300] as string }, confidence_score: 0.5 }],
  })),
};
const rules = [
  speciesThresholdRule(readSpeciesThresholds(join(dir, "thresholds.csv"), "species.thresholds"), 0.2),
  includeRule(new SpeciesList(labelsFile, "species.include", labels.map((text, i) => ({ text, line: i + 1 })))),
  rangeFilterRule(model, 0.03),
];
t0 = performance.now();
let dropped = 0;
for (let i = 0; i < ROUNDS; i++) {
  let current = output;
  for (const rule of rules) {
    const result = await rule.apply(current);
    current = result.output;
    dropped += result.dropped.length;
  }
}
console.log(`thresholds (${LABELS} rows) + include (${LABELS}) + range filter, per output of ${DETECTIONS} detections: ${(((performance.now() - t0) / ROUNDS) * 1000).toFixed(1)} µs (${dropped / ROUNDS} dropped each)`);

const db = new Database(join(dir, "metadata.db"));
db.run("PRAGMA journal_mode = WAL");
const log = new SqliteDecisionLog(db);
const drops = output.detections.map((detection) => ({ detection, rule: "range_filter", reason: "range score 0.010 < 0.03" }));
t0 = performance.now();
for (let i = 0; i < 200; i++) db.transaction(() => log.record(recording, "BirdNET", drops, new Date()))();
console.log(`decision log, one commit of ${DETECTIONS} drops (with pruning): ${((performance.now() - t0) / 200).toFixed(3)} ms`);
db.close();
await model.close();
rmSync(dir, { recursive: true, force: true });
