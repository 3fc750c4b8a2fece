/**
 * @module Hostile config input against the compiled binary: acoupi 0.6 program files with a
 * wrong `detections` (a string, a list), a `__proto__` key, and nesting 100,000 levels deep are
 * refused by key with nothing written; `microphone.audio_channels 100000` is refused by key; URL
 * credentials are masked in `config set` and `config diff`. An in-process check holds every
 * numeric key of the built-in programs to an upper bound.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { z } from "zod";
import { programs } from "../../../src/app/load-program.ts";
import { listFields, unwrap } from "../../../src/config/walk.ts";
import { buildBinary, runBinary, runner } from "../../helpers/binaries.ts";
import { makeTempHome, REPO, type TempHome } from "../../helpers/cli.ts";

const BIRDNET = JSON.parse(readFileSync(join(REPO, "test/fixtures/acoupi-0.6/birdnet-program.json"), "utf8")) as Record<string, unknown>;
const MODEL = ["--model.path", "/opt/models/model.onnx", "--model.labels", "/opt/models/labels.txt"];

let binary: ReturnType<typeof runner>;
let home: TempHome;
beforeAll(() => {
  binary = runner(buildBinary("x64"));
}, 120_000);
beforeEach(() => {
  home = makeTempHome("acoupi-hostile-config-");
});
afterEach(() => home.cleanup());

function cli(args: string[]) {
  return runBinary(binary, args, home.env);
}

/** Runs setup with `text` as the acoupi 0.6 program.json. */
function setupWith(text: string) {
  const file = join(home.home, "program.json");
  writeFileSync(file, text);
  return cli(["setup", "--program", "acoupi_birdnet.program", "--config", file, "--no-prompt", ...MODEL]);
}

function expectRefusedByKey(result: { code: number; stderr: string }, key: string): void {
  expect(result.stderr).not.toContain("internal error");
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(key);
  expect(existsSync(join(home.acoupiHome, "config/program.json"))).toBe(false);
}

describe("a hostile acoupi 0.6 program.json", () => {
  test("the fixture with a sound detections section is set up (so a refusal below is the hostile part's)", () => {
    const result = setupWith(JSON.stringify(BIRDNET));
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(home.acoupiHome, "config/program.json"))).toBe(true);
  });

  test("detections given as a string is refused by key, not replaced by the defaults", () => {
    const result = setupWith(JSON.stringify({ ...BIRDNET, detections: "all" }));
    expectRefusedByKey(result, 'detections is a string ("all"), but it must be a section of settings');
  });

  test("detections given as a list is refused by key", () => {
    const result = setupWith(JSON.stringify({ ...BIRDNET, detections: [0.2, 0.4] }));
    expectRefusedByKey(result, "detections is a list, but it must be a section of settings");
  });

  test("a __proto__ key is refused by key", () => {
    const text = JSON.stringify(BIRDNET).replace(/^\{/, '{"__proto__": {"polluted": true}, ');
    expectRefusedByKey(setupWith(text), 'has the key "__proto__" (at __proto__), which acoupi refuses');
    const nested = JSON.stringify(BIRDNET).replace('"model":{', '"model":{"__proto__":{"threshold":0},');
    expectRefusedByKey(setupWith(nested), 'has the key "__proto__" (at model.__proto__)');
  });

  test("nesting 100,000 levels deep is refused by key", () => {
    const depth = 100_000;
    const text = `{"model":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`;
    expectRefusedByKey(setupWith(text), "nests deeper than 32 levels at model.a.a.a.a.a.….a (32 levels)");
  });
});

describe("config set and config diff", () => {
  test("microphone.audio_channels 100000 is refused by key and the file is unchanged", () => {
    expect(cli(["setup", "--program", "default", "--no-prompt"]).code).toBe(0);
    const before = readFileSync(join(home.acoupiHome, "config/program.json"), "utf8");
    const result = cli(["config", "set", "microphone.audio_channels", "100000"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("microphone.audio_channels: expected number to be <=64");
    expect(readFileSync(join(home.acoupiHome, "config/program.json"), "utf8")).toBe(before);
    expect(cli(["config", "set", "microphone.audio_channels", "8"]).code).toBe(0);
  });

  test("URL credentials are masked in config set and config diff", () => {
    const first = "https://sensor:s3cr3t-one@example.org/api?token=tok-one";
    const second = "https://sensor:s3cr3t-two@example.org/api?token=tok-two";
    const setup = cli(["setup", "--program", "connected", "--no-prompt", "--messaging.http.base_url", first]);
    expect(setup.code, setup.stderr).toBe(0);
    const set = cli(["config", "set", "messaging.http.base_url", second]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain('messaging.http.base_url: "https://********@example.org/api?token=********"');
    const diff = cli(["config", "diff"]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("https://********@example.org/api?token=********");
    for (const output of [setup.stdout, set.stdout, diff.stdout]) {
      for (const secret of ["s3cr3t-one", "s3cr3t-two", "tok-one", "tok-two"]) expect(output).not.toContain(secret);
    }
  });
});


test("every numeric key of the built-in programs has an upper bound", async () => {
  const unbounded: string[] = [];
  for (const name of ["default", "connected", "detection", "birdnet"]) {
    const definition = await programs.load(name);
    for (const field of listFields(definition.configSchema)) {
      if ((field.kind !== "number" && field.kind !== "integer")) continue;
      const max = (unwrap(field.schema).core as z.ZodNumber).maxValue;
      if (max === null || max >= Number.MAX_SAFE_INTEGER) unbounded.push(`${name}: ${field.path}`);
    }
  }
  expect(unbounded).toEqual([]);
});
