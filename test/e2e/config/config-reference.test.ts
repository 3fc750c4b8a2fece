import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { listFields } from "../../../src/config/walk.ts";
import { programs } from "../../../src/app/load-program.ts";
import { builtinReference, REFERENCE_PATH } from "../../../scripts/config-docs.ts";
import { makeTempHome, runAcoupi, type TempHome } from "../../helpers/cli.ts";

describe("docs/configuration.md", () => {
  test("is what the schemas generate (run `bun scripts/config-docs.ts` after changing a schema)", async () => {
    expect(readFileSync(REFERENCE_PATH, "utf8")).toBe(await builtinReference());
  });

  test("lists every key of every built-in program with a type, a default and an effect", async () => {
    const text = readFileSync(REFERENCE_PATH, "utf8");
    for (const name of programs.names()) {
      const section = text.split(`## Program \`${name}\``)[1]?.split("\n## ")[0] ?? "";
      expect(section).not.toBe("");
      for (const field of listFields((await programs.load(name)).configSchema)) {
        const row = section.split("\n").find((line) => line.startsWith(`| \`${field.path}\` |`));
        expect({ key: field.path, found: row !== undefined }).toEqual({ key: field.path, found: true });
        const cells = (row ?? "").split(/(?<!\\)\|/).map((c) => c.trim());
        if (field.kind !== "object") expect({ key: field.path, type: cells[2] !== "", default: cells[3] !== "" }).toEqual({ key: field.path, type: true, default: true });
      }
    }
    expect(text).toContain("| `recording.duration` | number (≥ 0.1, ≤ 3600) | 3 | s | Length of each recording, in seconds | yes |");
    expect(text).toContain("| `messaging.outbox.max_bytes` |");
  });
});

describe("acoupi config schema", () => {
  let home: TempHome;
  beforeAll(() => {
    home = makeTempHome();
  });
  afterAll(() => home.cleanup());

  test("prints the JSON Schema of the active program, with bounds, defaults and secrets marked", () => {
    expect(runAcoupi(["setup", "--program", "connected", "--no-prompt"], home.env).code).toBe(0);
    const run = runAcoupi(["config", "schema"], home.env);
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout);
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.title).toBe('acoupi program "connected" configuration');
    expect(schema.properties.recording.properties.duration).toMatchObject({ type: "number", minimum: 0.1, maximum: 3600, default: 3 });
    expect(schema.properties.recording.properties.schedule_start.default).toBe("06:00:00");
    const mqtt = schema.properties.messaging.properties.mqtt.anyOf.find((o: { type?: string }) => o.type === "object");
    expect(mqtt.properties.password).toMatchObject({ writeOnly: true, "x-acoupi": { secret: true } });
    expect(mqtt.required).toContain("host");
    expect(mqtt.properties.keepalive["x-acoupi"]).toEqual({ noPrompt: true });
    // Our markers sit under x-acoupi only, so strict JSON Schema validators accept the schema.
    const stray: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== "object") return;
      for (const [key, child] of Object.entries(node)) {
        if (key === "x-acoupi") continue;
        if (["noPrompt", "secret", "opened", "askWhen", "atLeast", "defaultText"].includes(key)) stray.push(`${path}.${key}`);
        walk(child, `${path}.${key}`);
      }
    };
    walk(schema, "");
    expect(stray).toEqual([]);
  });

  test("--program prints another program's schema without setup", () => {
    const fresh = makeTempHome();
    const run = runAcoupi(["config", "schema", "--program", "default"], fresh.env);
    fresh.cleanup();
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout);
    expect(schema.properties.messaging).toBeUndefined();
    expect(schema.properties.recording_saving).toBeDefined();
  });
});
