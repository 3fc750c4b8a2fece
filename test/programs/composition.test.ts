/**
 * @module How programs compose: `withDefaults` presets (defaults changed, validation, descriptions
 * and markers kept, sections turned on), the program API an external file receives (the same
 * templates and components as the built-ins), templates that take what the earlier ones made
 * (one outbox on the store's connection, the last-recording metric wired once, detection chained
 * with `after`), and the store schemas' defaults under ACOUPI_HOME. A bad `summariser_config`
 * refused through the real CLI is in test/e2e/programs/composition.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsola } from "consola";
import { z } from "zod";
import { BUILTIN_PROGRAMS } from "../../programs/index.ts";
import { BirdnetConfigSchema } from "../../programs/birdnet.ts";
import { ConnectedConfigSchema } from "../../programs/connected.ts";
import { noPrompt } from "../../src/config/markers.ts";
import { unwrap } from "../../src/config/walk.ts";
import { enabled, withDefaults } from "../../src/config/with-defaults.ts";
import { ConfigError } from "../../src/errors.ts";
import { programApi } from "../../src/programs/api.ts";
import { defineProgram, instantiateProgram } from "../../src/programs/define-program.ts";
import { programRegistry } from "../../src/programs/registry.ts";
import { DetectionProgramConfigSchema } from "../../src/programs/templates/detection-program.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { DETECTION_TASK, HEARTBEAT_TASK, RECORDING_TASK } from "../../src/tasks/names.ts";
import { createDeployment, type Heartbeat } from "../../src/data/index.ts";
import { createFakeMic } from "../helpers/fake-mic.ts";
import { acoupiPaths } from "../../src/system/paths.ts";
import { energyModel } from "../helpers/onnx-builder.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-compose-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = createConsola({ level: -999 });

describe("withDefaults", () => {
  const Schema = z.object({
    section: z
      .object({
        rate: z.number().int().positive().default(16000).describe("Rate"),
        hidden: noPrompt(z.number().min(0).default(3).describe("Hidden")),
      })
      .prefault({}),
    optional: z
      .object({ low: z.number().default(0.1), high: z.number().default(0.9) })
      .refine((v) => v.low <= v.high, { message: "low ≤ high" })
      .nullable()
      .default(null),
  });

  test("changes defaults and keeps each field's validation, description and markers", () => {
    const preset = withDefaults(Schema, { section: { rate: 48000, hidden: 5 } });
    expect(preset.parse({})).toEqual({ section: { rate: 48000, hidden: 5 }, optional: null });
    expect(Schema.parse({}).section.rate).toBe(16000);
    expect(preset.safeParse({ section: { rate: -1 } }).success).toBe(false);
    const section = unwrap(preset.shape.section).core as z.ZodObject;
    expect(unwrap(section.shape.rate as z.ZodType).meta.description).toBe("Rate");
    expect(unwrap(section.shape.hidden as z.ZodType).meta).toMatchObject({ description: "Hidden", noPrompt: true });
  });

  test("enabled() turns an optional section on by default and keeps its refinement", () => {
    const preset = withDefaults(Schema, { optional: enabled({ low: 0.2 }) });
    expect(preset.parse({}).optional).toEqual({ low: 0.2, high: 0.9 });
    expect(preset.safeParse({ optional: null }).success).toBe(true);
    expect(preset.safeParse({ optional: { low: 0.95 } }).success).toBe(false);
  });

  test("an unknown key or an invalid default is a ConfigError naming it", () => {
    expect(() => withDefaults(Schema, { section: { rat: 1 } })).toThrow(/section\.rat/);
    expect(() => withDefaults(Schema, { section: { rate: "fast" } })).toThrow(ConfigError);
  });

  test("the birdnet and connected presets are the templates' schemas with other defaults", () => {
    const birdnet = BirdnetConfigSchema.parse({ model: { path: "/m/BirdNET.onnx", labels: "/m/labels.txt" } });
    expect(birdnet.model).toMatchObject({ name: "BirdNET", samplerate: 48000, window: 3, activation: "sigmoid" });
    expect(birdnet.recording).toMatchObject({ schedule_start: "04:00:00", schedule_end: "23:00:00" });
    expect(birdnet.saving_managers).toMatchObject({ true_dir: "birds", false_dir: "no_birds", detection_threshold: 0.4 });
    expect(birdnet.detections.message_threshold).toBe(0.4);
    // Same fields as the detection template: nothing declared twice.
    expect(Object.keys(BirdnetConfigSchema.shape).sort()).toEqual(Object.keys(DetectionProgramConfigSchema.shape).sort());
    expect(ConnectedConfigSchema.parse({ recording_saving: {} }).recording_saving?.starttime).toBe("18:30:00");
  });
});

describe("the program API for external files", () => {
  test("carries the templates, the component factories and classes, the schemas and zod", () => {
    const api = programApi;
    expect(Object.keys(api.templates).filter((name) => !name.endsWith("Schema")).sort()).toEqual(["basic", "detection", "detectionProgram", "messaging"]);
    for (const kind of ["recorders", "conditions", "savingFilters", "fileManagers", "models", "cleaners", "messageBuilders", "summarisers", "messengers", "stores", "messageStores"] as const) {
      expect(Object.keys(api[kind]).length).toBeGreaterThan(0);
    }
    expect(typeof api.models.OnnxModel).toBe("function");
    expect(typeof api.messengers.MqttMessenger).toBe("function");
    expect(typeof api.savingFilters.savingThreshold).toBe("function");
    expect(api.z).toBe(z);
    expect(api.tasks.RECORDING_TASK).toBe(RECORDING_TASK);
  });

  test("a program file composes the templates exactly as a built-in does", async () => {
    const file = join(dir, "composed.ts");
    writeFileSync(
      file,
      `export default (api) => api.defineProgram({
        apiVersion: 1,
        name: "composed",
        configSchema: api.templates.DetectionProgramConfigSchema,
        workers: api.workers.DETECTION_WORKERS,
        setup: (config, ctx) => { api.templates.detectionProgram(ctx, config); },
      });`,
    );
    const registry = programRegistry(BUILTIN_PROGRAMS);
    const definition = await registry.load(file);
    const model = join(dir, "tiny.onnx");
    writeFileSync(model, energyModel(8000));
    const home = join(dir, "home");
    const config = definition.configSchema.parse({
      paths: { tmp_audio: join(home, "tmp"), recordings: join(home, "rec"), db_metadata: join(home, "meta.db") },
      messaging: { messages_db: join(home, "messages.db") },
      model: { path: model, labels: ["a", "b"], samplerate: 16000, window: 0.5 },
    });
    const instance = await instantiateProgram(definition, config, {
      paths: acoupiPaths(home),
      deviceId: "dev",
      clock: new ManualClock(),
      logger: quiet,
      version: "test",
    });
    try {
      const tasks = Object.fromEntries(instance.context.tasks.map((t) => [t.name, t]));
      expect(tasks[DETECTION_TASK]?.schedule).toEqual({ after: RECORDING_TASK });
      expect(tasks[DETECTION_TASK]?.queue).toBe("default");
      expect(instance.context.requiredModels()).toEqual(["tiny"]);
      const status = instance.context.collectStatus();
      expect(Object.keys(status.components)).toEqual(expect.arrayContaining(["recording", "file_management", "outbox", "detection"]));
      expect(status.components.outbox?.messenger).toBe("none");
    } finally {
      await instance.close();
    }
  });

  test("a heartbeat of a composed program carries the last recording's age, wired by the messaging template", async () => {
    const home = join(dir, "hb");
    const mic = await createFakeMic(new Int16Array(16000), { parent: dir });
    const alsaConfig = join(dir, "hb-alsa.conf");
    writeFileSync(alsaConfig, mic.configText);
    const previous = process.env.ACOUPI_ALSA_CONFIG;
    process.env.ACOUPI_ALSA_CONFIG = alsaConfig;
    const definition = defineProgram({
      name: "hb",
      configSchema: ConnectedConfigSchema,
      setup(config, ctx) {
        const basic = programApi.templates.basic(ctx, config);
        programApi.templates.messaging(ctx, config.messaging, { basic });
      },
    });
    const config = ConnectedConfigSchema.parse({
      microphone: { device_name: mic.device, samplerate: 16000 },
      recording: { duration: 0.5, interval: 5, schedule_start: "00:00", schedule_end: "23:59:59", min_free_mb: 0 },
      paths: { tmp_audio: join(home, "tmp"), recordings: join(home, "rec"), db_metadata: join(home, "meta.db") },
      messaging: { messages_db: join(home, "messages.db") },
    });
    const clock = new ManualClock(new Date("2026-06-01T12:00:00Z"));
    const instance = await instantiateProgram(definition, config, { paths: acoupiPaths(home), deviceId: "dev", clock, logger: quiet, version: "t" });
    try {
      await instance.start(createDeployment({ name: "hb" }));
      const heartbeat = instance.context.task(HEARTBEAT_TASK);
      const before = (await heartbeat?.run(undefined)) as Heartbeat;
      expect(before.metrics.map((m) => m.name)).not.toContain("last_recording_age");
      expect(await instance.context.task(RECORDING_TASK)?.run(undefined)).toBeDefined();
      clock.advance(7_000);
      const after = (await heartbeat?.run(undefined)) as Heartbeat;
      expect(after.metrics.find((m) => m.name === "last_recording_age")?.value).toBe(7);
    } finally {
      await instance.close();
      await mic.cleanup();
      if (previous === undefined) delete process.env.ACOUPI_ALSA_CONFIG;
      else process.env.ACOUPI_ALSA_CONFIG = previous;
    }
  });
});

describe("one home per config field", () => {
  test("the store schemas default under ACOUPI_HOME, as the templates do", async () => {
    const { SqliteStoreConfigSchema } = await import("../../src/components/stores/sqlite-store.ts");
    const { SqliteMessageStoreConfigSchema } = await import("../../src/components/message-stores/sqlite-message-store.ts");
    const before = process.env.ACOUPI_HOME;
    process.env.ACOUPI_HOME = "/srv/acoupi-x";
    try {
      expect(SqliteStoreConfigSchema.parse({}).db_metadata).toBe("/srv/acoupi-x/storages/metadata.db");
      expect(SqliteMessageStoreConfigSchema.parse({}).messages_db).toBe("/srv/acoupi-x/storages/messages.db");
      expect(DetectionProgramConfigSchema.parse({ model: { path: "/m.onnx" } }).paths.db_metadata).toBe("/srv/acoupi-x/storages/metadata.db");
    } finally {
      if (before === undefined) delete process.env.ACOUPI_HOME;
      else process.env.ACOUPI_HOME = before;
    }
  });
});
