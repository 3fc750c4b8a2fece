/**
 * The program API is small and is the one contract: no name twice, nothing of acoupi's internals,
 * the built-in programs, the examples and the README's own-program example use only its names,
 * a program file declares the version it is written against, and an error in a program file is
 * the file's, with a line (in process here; through the real CLI in test/e2e/program-errors).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createConsola } from "consola";
import { BUILTIN_PROGRAMS } from "../../programs/index.ts";
import { ProgramFileError } from "../../src/errors.ts";
import { programApi } from "../../src/programs/api.ts";
import { instantiateProgram } from "../../src/programs/define-program.ts";
import { programRegistry } from "../../src/programs/registry.ts";
import { ManualClock } from "../../src/scheduler/clock.ts";
import { acoupiPaths } from "../../src/system/paths.ts";
import { apiNames, apiValue } from "../helpers/api-names.ts";
import { REPO } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "acoupi-api-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const registry = programRegistry(BUILTIN_PROGRAMS);
const deps = { paths: acoupiPaths(join(dir, "home")), deviceId: "dev", clock: new ManualClock(), logger: createConsola({ level: -999 }), version: "test" };

/** Every object and function the API hands out, by identity. */
function apiValues(): Set<unknown> {
  return new Set(apiNames().map(apiValue));
}

/** The value imports (not `import type`, not type-only names) of a TypeScript file: module → names. */
function valueImports(text: string): Array<{ from: string; names: string[] }> {
  const out: Array<{ from: string; names: string[] }> = [];
  for (const match of text.matchAll(/^import\s+(?!type\s)\{([^}]*)\}\s+from\s+"([^"]+)";/gm)) {
    const names = (match[1] as string)
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "" && !part.startsWith("type "))
      .map((part) => (part.split(/\s+as\s+/)[0] as string).trim());
    out.push({ from: match[2] as string, names });
  }
  return out;
}

/** The `api.namespace.name` paths a program text uses (two levels at most). */
function apiPaths(text: string): string[] {
  return [...new Set([...text.matchAll(/(?<![\w/.])api\.(\w+)(?:\.(\w+))?/g)].map((m) => (m[2] ? `${m[1]}.${m[2]}` : (m[1] as string))))];
}

/** The README's own-program example. */
function readmeExample(): string {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const block = /```ts\n(\/\/ my-program\.ts[\s\S]*?)```/.exec(readme);
  if (!block) throw new Error("README.md has no own-program example (a ```ts block starting with // my-program.ts)");
  return block[1] as string;
}

describe("the program API", () => {
  test("hands out each value under one name only", () => {
    const seen = new Map<unknown, string>();
    const twice: string[] = [];
    for (const name of apiNames()) {
      const value = apiValue(name);
      if (typeof value !== "object" && typeof value !== "function") continue;
      const first = seen.get(value);
      if (first !== undefined) twice.push(`${name} is ${first}`);
      seen.set(value, name);
    }
    expect(twice).toEqual([]);
  });

  test("exposes none of the internals it used to: purge planning, discovery messages, serialisers, CLI errors", () => {
    const names = new Set(apiNames().map((n) => n.split(".").at(-1)));
    for (const internal of ["planPurge", "sacrificeOrder", "discoveryMessages", "stringifyAcoupi", "deploymentTree", "ProgramNotFoundError", "UsageError", "freeBytes", "unpaddedDatePath"]) {
      expect(names.has(internal)).toBe(false);
    }
    expect(Object.keys(programApi)).not.toContain("schemas");
    expect(Object.keys(programApi)).not.toContain("HealthCheckError");
  });

  test("offers the audio a program needs: a WAV read in real time, resampling and a spectrogram in seconds and hertz", async () => {
    const rate = 48_000;
    const tone = Float32Array.from({ length: rate }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 6000 * i) / rate));
    const pcm = new Int16Array(tone.length);
    for (let i = 0; i < tone.length; i++) pcm[i] = Math.round((tone[i] as number) * 32767);
    // A 1 s file time-expanded 10×: its header says 4800 Hz, its GUANO the factor and the capture rate.
    const header = new DataView(new ArrayBuffer(44));
    const guano = new TextEncoder().encode("GUANO|Version: 1.0\nTE: 10\nSamplerate: 48000\n");
    const guanoChunk = new Uint8Array(8 + guano.length + (guano.length % 2));
    new DataView(guanoChunk.buffer).setUint32(4, guano.length, true);
    guanoChunk.set(new TextEncoder().encode("guan"), 0);
    guanoChunk.set(guano, 8);
    const data = new Uint8Array(pcm.buffer);
    const write = (at: number, text: string) => [...text].forEach((c, i) => header.setUint8(at + i, c.charCodeAt(0)));
    write(0, "RIFF");
    header.setUint32(4, 36 + data.length + guanoChunk.length, true);
    write(8, "WAVE");
    write(12, "fmt ");
    header.setUint32(16, 16, true);
    header.setUint16(20, 1, true);
    header.setUint16(22, 1, true);
    header.setUint32(24, rate / 10, true);
    header.setUint32(28, (rate / 10) * 2, true);
    header.setUint16(32, 2, true);
    header.setUint16(34, 16, true);
    write(36, "data");
    header.setUint32(40, data.length, true);
    const file = join(dir, "expanded.wav");
    writeFileSync(file, Buffer.concat([new Uint8Array(header.buffer), data, guanoChunk]));

    const audio = await programApi.audio.readRealTime(file);
    expect(audio.samplerate).toBe(48_000);
    expect(audio.timeExpansion).toBe(10);
    expect(audio.samples.length / audio.samplerate).toBeCloseTo(1, 6);
    const down = programApi.audio.resample(audio.samples, audio.samplerate, 16_000);
    expect(down.length).toBe(16_000);
    const spec = programApi.audio.spectrogram({ samples: down, samplerate: 16_000 }, { fftSize: 512, columns: 10 });
    expect(spec.binHz).toBe(16_000 / 512);
    expect(spec.columnSeconds).toBeCloseTo(0.1, 6);
    // The loudest bin of a middle column sits at the tone's real frequency, 6 kHz.
    const column = spec.db.subarray(5 * spec.bins, 6 * spec.bins);
    const peak = column.indexOf(Math.max(...column));
    expect(Math.abs(peak * spec.binHz - 6000)).toBeLessThan(spec.binHz);
  });
});

describe("who uses the program API", () => {
  test("the built-in programs import only values the program API exports (besides node: modules)", async () => {
    const values = apiValues();
    const outside: string[] = [];
    const files = readdirSync(join(REPO, "programs")).filter((f) => f.endsWith(".ts") && f !== "index.ts");
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      for (const { from, names } of valueImports(readFileSync(join(REPO, "programs", file), "utf8"))) {
        if (from.startsWith("node:")) continue;
        const module = (await import(from.startsWith(".") ? resolve(REPO, "programs", from) : from)) as Record<string, unknown>;
        for (const name of names) if (!values.has(module[name])) outside.push(`programs/${file}: ${name} from ${from}`);
      }
    }
    expect(outside).toEqual([]);
  });

  test("the example programs and the README's example use only names of the program API, and declare apiVersion 1", () => {
    const texts: Array<[string, string]> = readdirSync(join(REPO, "examples"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => [`examples/${f}`, readFileSync(join(REPO, "examples", f), "utf8")]);
    texts.push(["README.md", readmeExample()]);
    expect(texts.length).toBeGreaterThanOrEqual(3);
    const unknown: string[] = [];
    for (const [where, text] of texts) {
      expect(text).toContain("apiVersion: 1");
      for (const path of apiPaths(text)) if (apiValue(path) === undefined) unknown.push(`${where}: api.${path}`);
      // Only type imports of acoupi's sources: those are erased when the binary loads the file.
      for (const { from } of valueImports(text)) if (!from.startsWith("node:")) unknown.push(`${where}: imports ${from}`);
    }
    expect(unknown).toEqual([]);
  });

  test("every built-in program declares apiVersion 1 and no program has an aliases field", async () => {
    for (const name of registry.names()) {
      const definition = await registry.load(name);
      expect({ name, apiVersion: definition.apiVersion }).toEqual({ name, apiVersion: 1 });
      expect(Object.keys(definition)).not.toContain("aliases");
    }
  });
});

function programFile(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function refusal(load: Promise<unknown>): Promise<ProgramFileError> {
  const error = await load.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProgramFileError);
  return error as ProgramFileError;
}

describe("program files", () => {
  test("a file declaring an API version this binary does not serve is refused, naming the file and both versions", async () => {
    const file = programFile("future.ts", `export default (api) => api.defineProgram({ apiVersion: 2, name: "future", configSchema: api.z.object({}), setup() {} });\n`);
    const error = await refusal(registry.load(file));
    expect(error.message).toBe(`Program "future" (${file}) declares program API version 2; this acoupi serves version 1`);
    expect(error.help).toContain("self-update");
  });

  test("a file declaring no API version is taken as version 1", async () => {
    const file = programFile("unversioned.ts", `export default (api) => api.defineProgram({ name: "plain", configSchema: api.z.object({}), setup() {} });\n`);
    expect((await registry.load(file)).name).toBe("plain");
  });

  test("a syntax error names the file, line and column, and shows the line", async () => {
    const file = programFile("syntax.ts", `export default (api) => {\n  // fine\n  const x = ;\n};\n`);
    const error = await refusal(registry.load(file));
    expect(error.message).toStartWith(`Program file ${file}:3:13 does not parse:`);
    expect(error.line).toBe(3);
    expect(error.help).toContain("const x = ;");
  });

  test("a missing import names the file, the line of the import and what it imports", async () => {
    const file = programFile("imports.ts", `// a program\n\nimport { helper } from "./not-there.ts";\nexport default (api) => helper(api);\n`);
    const error = await refusal(registry.load(file));
    expect(error.message).toBe(`Program file ${file}:3 imports "./not-there.ts", which cannot be found`);
  });

  test("a file whose default export is no program says what to export instead of 'not found'", async () => {
    const file = programFile("nothing.ts", `export default 42;\n`);
    const error = await refusal(registry.load(file));
    expect(error.message).toBe(`Program file ${file} defines no program`);
    expect(error.message).not.toContain("not found");
  });

  const throwing = `export default (api) => api.defineProgram({
  apiVersion: 1,
  name: "thrower",
  configSchema: api.z.object({ where: api.z.string() }),
  setup(config, ctx) {
    if (config.where === "setup") throw new Error("setup went wrong");
    ctx.addTask(function broken_task() {
      throw new RangeError("task went wrong");
    }, { name: "broken_task" });
  },
  check(config) {
    if (config.where === "check") throw new TypeError("check went wrong");
  },
});
`;

  test("a throw in setup, in check or in a task names the program, the file and the line", async () => {
    const file = programFile("thrower.ts", throwing);
    const definition = await registry.load(file);
    const setup = await refusal(instantiateProgram(definition, { where: "setup" }, deps));
    expect(setup.message).toBe(`Program "thrower" (${file}:6) threw in setup: setup went wrong`);
    expect(setup.help).toContain("not in acoupi");

    const instance = await instantiateProgram(definition, { where: "check" }, deps);
    try {
      const check = await refusal(instance.check());
      expect(check.message).toBe(`Program "thrower" (${file}:12) threw in check: TypeError: check went wrong`);
      const task = await refusal(Promise.resolve().then(() => instance.context.task("broken_task")?.run(undefined)));
      expect(task.message).toBe(`Program "thrower" (${file}:8) threw in task broken_task: RangeError: task went wrong`);
    } finally {
      await instance.close();
    }
  });

  test("a throw in a check or start hook the program registered on its context is the program's too", async () => {
    const file = programFile(
      "hooks.ts",
      `export default (api) => api.defineProgram({
  name: "hooks",
  configSchema: api.z.object({}),
  setup(config, ctx) {
    ctx.onCheck(() => {
      throw new Error("hooked check went wrong");
    });
    ctx.onStart(() => { JSON.parse("{"); });
  },
});
`,
    );
    const instance = await instantiateProgram(await registry.load(file), {}, deps);
    try {
      expect((await refusal(instance.check())).message).toBe(`Program "hooks" (${file}:6) threw in check: hooked check went wrong`);
      const start = await refusal(instance.start({ id: "d", name: "d", latitude: null, longitude: null, started_on: new Date(), ended_on: null }));
      expect(start.message).toStartWith(`Program "hooks" (${file}:8) threw in onStart: SyntaxError:`);
    } finally {
      await instance.close();
    }
  });
});
