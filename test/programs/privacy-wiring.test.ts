/**
 * How the privacy filter composes with the built-in programs: the privacy task chains after the
 * recording task (on the detection queue when the program has one, else on the recording queue),
 * the program's model chains after it, its VAD is a required model ahead of the program's own,
 * and with privacy off nothing of it is registered.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola } from "consola";
import { BUILTIN_PROGRAMS } from "../../programs/index.ts";
import { instantiateProgram } from "../../src/programs/define-program.ts";
import { programRegistry } from "../../src/programs/registry.ts";
import { PRIVACY_MODEL } from "../../src/programs/templates/_privacy-filter.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { acoupiPaths } from "../../src/system/paths.ts";
import { DETECTION_TASK, PRIVACY_TASK, RECORDING_TASK, RETENTION_TASK } from "../../src/tasks/names.ts";
import { energyModel } from "../helpers/onnx-builder.ts";

const quiet = createConsola({ level: -999 });
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-privacy-wiring-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function instance(program: string, extra: Record<string, unknown>) {
  const definition = await programRegistry(BUILTIN_PROGRAMS).load(program);
  const home = join(dir, program + String(Object.keys(extra).length) + crypto.randomUUID().slice(0, 4));
  const model = join(dir, "tiny.onnx");
  writeFileSync(model, energyModel(8000));
  const config = definition.configSchema.parse({
    paths: { tmp_audio: join(home, "tmp"), recordings: join(home, "rec"), db_metadata: join(home, "meta.db") },
    ...(program === "detection" ? { messaging: { messages_db: join(home, "messages.db") }, model: { path: model, labels: ["a", "b"], samplerate: 16000, window: 0.5 } } : {}),
    ...extra,
  });
  return instantiateProgram(definition, config, { paths: acoupiPaths(home), deviceId: "dev", clock: new ManualClock(), logger: quiet, version: "test" });
}

describe("the privacy filter in the built-in programs", () => {
  test("in the detection program it runs on the detection queue ahead of the program's model", async () => {
    const program = await instance("detection", { privacy: { enabled: true } });
    try {
      const tasks = Object.fromEntries(program.context.tasks.map((t) => [t.name, t]));
      expect(tasks[PRIVACY_TASK]).toMatchObject({ schedule: { after: RECORDING_TASK }, queue: "detection" });
      expect(tasks[DETECTION_TASK]?.schedule).toEqual({ after: PRIVACY_TASK });
      expect(program.context.requiredModels()).toEqual([PRIVACY_MODEL, "tiny"]);
      expect(Object.keys(program.context.collectStatus().components)).toEqual(expect.arrayContaining(["privacy", "storage"]));
    } finally {
      await program.close();
    }
  });

  test("in the default program, which has no detection queue, it runs on the recording queue", async () => {
    const program = await instance("default", { privacy: { enabled: true } });
    try {
      const task = program.context.task(PRIVACY_TASK);
      expect(task).toMatchObject({ schedule: { after: RECORDING_TASK }, queue: "recording" });
      expect(program.context.requiredModels()).toEqual([PRIVACY_MODEL]);
    } finally {
      await program.close();
    }
  });

  test("off by default: no privacy task, no VAD, and the model chains on the recording task; retention is always there", async () => {
    const program = await instance("detection", {});
    try {
      expect(program.context.task(PRIVACY_TASK)).toBeUndefined();
      expect(program.context.task(DETECTION_TASK)?.schedule).toEqual({ after: RECORDING_TASK });
      expect(program.context.requiredModels()).toEqual(["tiny"]);
      expect(program.context.task(RETENTION_TASK)?.schedule).toEqual({ every: 300 });
    } finally {
      await program.close();
    }
  });
});
