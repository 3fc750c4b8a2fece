/**
 * @module The Store conformance suite: every metadata Store implementation runs it through
 * `storeContract(name, makeStore)`. It checks the promises of src/components/stores/types.ts
 * with real records; the fixtures are exported for implementation-specific tests.
 */
import { afterEach, describe, expect, test } from "bun:test";
import type { Deployment, Detection, ModelOutput, Recording } from "../../src/data/index.ts";
import { StoreError } from "../../src/errors.ts";
import type { Store } from "../../src/components/stores/types.ts";
import type { StoreReads } from "../helpers/store-reads.ts";

export function deployment(init: Partial<Deployment> = {}): Deployment {
  return {
    id: crypto.randomUUID(),
    name: "site",
    latitude: 51.5,
    longitude: -0.1,
    started_on: new Date("2024-01-01T00:00:00.000Z"),
    ended_on: null,
    ...init,
  };
}

export function recording(init: Partial<Recording> = {}): Recording {
  const id = init.id ?? crypto.randomUUID();
  return {
    id,
    created_on: new Date("2024-05-01T14:03:00.000Z"),
    duration: 3,
    samplerate: 48000,
    deployment: init.deployment ?? deployment(),
    path: `/tmp/acoupi/${id}.wav`,
    audio_channels: 1,
    time_expansion: 1,
    bit_depth: 16,
    ...init,
  };
}

export function detection(score: number, tags: Array<[string, number]> = [["Turdus merula", score]]): Detection {
  return {
    id: crypto.randomUUID(),
    prediction_type: "presence",
    location: { type: "BoundingBox", coordinates: [0, 0, 3, 24000] },
    detection_score: score,
    tags: tags.map(([value, confidence_score]) => ({ tag: { key: "species", value }, confidence_score })),
  };
}

export function modelOutput(rec: Recording, init: Partial<ModelOutput> = {}): ModelOutput {
  return {
    id: crypto.randomUUID(),
    name_model: "BirdNET",
    recording: rec,
    detections: [detection(0.9)],
    created_on: new Date(rec.created_on.getTime() + 5000),
    ...init,
  };
}

const at = (iso: string): Date => new Date(iso);

/** What the suite reads back through, beside the Store interface (test/helpers/store-reads.ts for SQLite). */
export type { StoreReads } from "../helpers/store-reads.ts";

export function storeContract(name: string, makeStore: () => { store: Store; reads: StoreReads; cleanup: () => void }): void {
  describe(`${name} (Store contract)`, () => {
    let current: { store: Store; reads: StoreReads; cleanup: () => void } | null = null;
    const open = (): Store => {
      current = makeStore();
      return current.store;
    };
    const reads = (): StoreReads => {
      if (current === null) throw new Error("open() the store first");
      return current.reads;
    };
    afterEach(() => {
      current?.cleanup();
      current = null;
    });

    test("it returns no current deployment when none was stored, and does not create one", () => {
      const store = open();
      expect(store.getCurrentDeployment()).toBeNull();
      expect(store.getCurrentDeployment()).toBeNull();
    });

    test("the current deployment is the one started last, and storing it twice is harmless", () => {
      const store = open();
      const older = deployment({ started_on: at("2024-01-01T00:00:00Z") });
      const newer = deployment({ started_on: at("2024-02-01T00:00:00Z"), latitude: null, longitude: null });
      store.storeDeployment(newer);
      store.storeDeployment(older);
      store.storeDeployment(newer);
      expect(store.getCurrentDeployment()).toEqual(newer);
    });

    test("two deployments may start at the same instant", () => {
      const store = open();
      const a = deployment();
      const b = deployment();
      store.storeDeployment(a);
      store.storeDeployment(b);
      expect([a.id, b.id]).toContain(store.getCurrentDeployment()?.id ?? "");
    });

    test("updating a deployment changes its name, coordinates and end", () => {
      const store = open();
      const d = deployment();
      store.storeDeployment(d);
      const ended = { ...d, name: "moved", latitude: -33.9, longitude: 151.2, ended_on: at("2024-03-01T12:00:00.250Z") };
      store.updateDeployment(ended);
      expect(store.getCurrentDeployment()).toEqual(ended);
    });

    test("updating an unknown deployment throws a StoreError", () => {
      const store = open();
      expect(() => store.updateDeployment(deployment())).toThrow(StoreError);
    });

    test("storing a recording stores its deployment and comes back equal", () => {
      const store = open();
      const rec = recording({ time_expansion: 10, audio_channels: 2, duration: 2.5 });
      store.storeRecording(rec);
      store.storeRecording(rec);
      expect(store.getCurrentDeployment()).toEqual(rec.deployment);
      expect(reads().getRecordings([rec.id])).toEqual([{ recording: rec, modelOutputs: [] }]);
    });

    test("two recordings may start at the same instant", () => {
      const store = open();
      const d = deployment();
      const a = recording({ deployment: d });
      const b = recording({ deployment: d });
      store.storeRecording(a);
      store.storeRecording(b);
      expect(reads().getRecordings([a.id, b.id])).toHaveLength(2);
    });

    test("recordings come back newest first with their model outputs, detections and tags", () => {
      const store = open();
      const d = deployment();
      const first = recording({ deployment: d, created_on: at("2024-05-01T10:00:00Z") });
      const second = recording({ deployment: d, created_on: at("2024-05-01T10:00:00.001Z") });
      store.storeRecording(first);
      store.storeRecording(second);
      const out = modelOutput(second, {
        detections: [detection(0.9, [["Turdus merula", 0.8], ["Erithacus rubecula", 0.1]]), { ...detection(0.4), location: null, tags: [] }],
      });
      store.storeModelOutputs([out]);
      const got = reads().getRecordings([first.id, second.id, crypto.randomUUID()]);
      expect(got.map((r) => r.recording.id)).toEqual([second.id, first.id]);
      expect(got[0]?.modelOutputs).toEqual([out]);
      expect(got[1]?.modelOutputs).toEqual([]);
    });

    test("storing outputs for an unstored recording throws a StoreError naming it and stores nothing", () => {
      const store = open();
      const stored = recording();
      const missing = recording({ path: "/tmp/acoupi/missing.wav" });
      store.storeRecording(stored);
      const error = (() => {
        try {
          store.storeModelOutputs([modelOutput(stored), modelOutput(missing)]);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error).toBeInstanceOf(StoreError);
      expect(String((error as Error).message)).toContain(missing.id);
      expect(String((error as Error).message)).toContain("/tmp/acoupi/missing.wav");
      expect(reads().getRecordings([stored.id])[0]?.modelOutputs).toEqual([]);
    });

    test("storing the same model output twice keeps one copy", () => {
      const store = open();
      const rec = recording();
      store.storeRecording(rec);
      const out = modelOutput(rec);
      store.storeModelOutputs([out]);
      store.storeModelOutputs([out]);
      expect(reads().getRecordings([rec.id])[0]?.modelOutputs).toEqual([out]);
    });

    test("recordings are found by path, with full or light model outputs", () => {
      const store = open();
      const rec = recording({ path: "/tmp/acoupi/a.wav" });
      store.storeRecording(rec);
      store.storeRecording(recording({ path: "/tmp/acoupi/b.wav" }));
      const out = modelOutput(rec);
      store.storeModelOutputs([out]);
      expect(reads().getRecordingsByPath(["/tmp/acoupi/a.wav"])).toEqual([{ recording: rec, modelOutputs: [out] }]);
      expect(store.getRecordingsInfoByPath(["/tmp/acoupi/a.wav", "/nope.wav"])).toEqual([
        { recording: rec, modelOutputs: [{ id: out.id, name_model: out.name_model, created_on: out.created_on }] },
      ]);
    });

    test("updating a recording's path moves it and can set its state", () => {
      const store = open();
      const rec = recording({ path: "/tmp/acoupi/a.wav" });
      store.storeRecording(rec);
      const moved = store.updateRecordingPath(rec, "/data/2024/a.wav", "saved");
      expect(moved).toEqual({ ...rec, path: "/data/2024/a.wav" });
      expect(reads().getRecordingsByPath(["/data/2024/a.wav"])[0]?.recording).toEqual(moved);
      expect(reads().getRecordingsByPath(["/tmp/acoupi/a.wav"])).toEqual([]);
      expect(store.listRecordingsByState("saved").map((r) => r.recording.id)).toEqual([rec.id]);
      expect(store.listRecordingsByState("temp")).toEqual([]);
    });

    test("updating the path of an unknown recording throws a StoreError", () => {
      const store = open();
      expect(() => store.updateRecordingPath(recording(), "/x.wav")).toThrow(StoreError);
      expect(() => reads().markRecording(crypto.randomUUID(), "missing")).toThrow(StoreError);
    });

    test("new recordings are temp, and marking moves them between states", () => {
      const store = open();
      const d = deployment();
      const a = recording({ deployment: d, created_on: at("2024-05-01T10:00:00Z") });
      const b = recording({ deployment: d, created_on: at("2024-05-01T11:00:00Z") });
      store.storeRecording(a);
      store.storeRecording(b);
      store.storeModelOutputs([modelOutput(a)]);
      const temp = store.listRecordingsByState("temp");
      expect(temp.map((r) => r.recording.id)).toEqual([b.id, a.id]);
      expect(temp[1]?.modelOutputs).toHaveLength(1);
      expect(store.listRecordingsByState("temp", { limit: 1 })).toHaveLength(1);
      reads().markRecording(a.id, "discarded");
      expect(store.listRecordingsByState("discarded").map((r) => r.recording.id)).toEqual([a.id]);
      expect(store.listRecordingsByState("temp").map((r) => r.recording.id)).toEqual([b.id]);
    });

    test("predicted tags are read over a half-open window of model output times", () => {
      const store = open();
      const rec = recording();
      store.storeRecording(rec);
      const inside = modelOutput(rec, { created_on: at("2024-05-01T14:00:00Z"), detections: [detection(0.7, [["A", 0.6], ["B", 0.5]])] });
      const atEnd = modelOutput(rec, { created_on: at("2024-05-01T15:00:00Z"), detections: [detection(0.9, [["C", 0.9]])] });
      store.storeModelOutputs([inside, atEnd]);
      const rows = store.getPredictedTags({ after: at("2024-05-01T14:00:00Z"), before: at("2024-05-01T15:00:00Z") });
      expect(rows).toEqual([
        { detection_score: 0.7, confidence_score: 0.6, key: "species", value: "A", created_on: inside.created_on },
        { detection_score: 0.7, confidence_score: 0.5, key: "species", value: "B", created_on: inside.created_on },
      ]);
    });

    test("a transaction that throws leaves nothing behind", () => {
      const store = open();
      const rec = recording();
      expect(() =>
        store.transaction(() => {
          store.storeRecording(rec);
          store.storeModelOutputs([modelOutput(rec)]);
          throw new Error("boom");
        }),
      ).toThrow("boom");
      expect(reads().getRecordings([rec.id])).toEqual([]);
      expect(store.transaction(() => 42)).toBe(42);
    });

    test("lists of ids longer than SQLite's bound-variable limit work", () => {
      const store = open();
      const d = deployment();
      const recs = Array.from({ length: 2100 }, (_, i) => recording({ deployment: d, created_on: new Date(Date.UTC(2024, 0, 1) + i * 1000) }));
      store.transaction(() => {
        for (const r of recs) store.storeRecording(r);
      });
      store.storeModelOutputs(recs.map((r) => modelOutput(r)));
      const got = reads().getRecordings(recs.map((r) => r.id));
      expect(got).toHaveLength(2100);
      expect(got[0]?.recording.id).toBe(recs[2099]?.id ?? "");
      expect(got.every((r) => r.modelOutputs.length === 1)).toBe(true);
      expect(reads().getRecordingsByPath(recs.map((r) => r.path ?? ""))).toHaveLength(2100);
    });
  });
}
