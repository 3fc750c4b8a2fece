/**
 * Reliability: bad input to the compiled binary. Each refusal must exit non-zero with an error
 * that names the key, file or device at fault and a `Help:` line, never an internal error, and
 * must leave everything under ACOUPI_HOME byte-identical (hashed before and after). Also: labels
 * and names with path separators never create folders, and a junk WAV in the temp folder at start
 * is left alone while the runner goes on.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { energyModel } from "../../helpers/onnx-builder.ts";
import { hashTree, inspectStores } from "./_invariants.ts";
import { busySetupArgs, deploy, mustRun, readStatusFile, binaryUnderTest, terminate, waitFor, type Deployment, recordingCount } from "../../helpers/deployment.ts";

/** busySetupArgs with `key` set to `value` (replaced where present, else added). */
function setupWith(key: string, value: string): string[] {
  const args = busySetupArgs();
  const at = args.indexOf(`--${key}`);
  if (at >= 0) args[at + 1] = value;
  else args.push(`--${key}`, value);
  return args;
}

function folders(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => [join(dir, e.name), ...folders(join(dir, e.name))]);
}

describe("bad input", () => {
  let rig: Deployment;

  beforeAll(async () => {
    rig = deploy({ binary: binaryUnderTest() });
    mustRun(rig, busySetupArgs());
    // A deployment that ran, so the stores exist and hold data to protect.
    const runner = rig.spawn(["start", "--name", "bad-input", "--no-check", "--foreground"]);
    await waitFor("recordings", () => readStatusFile(rig)?.pid === runner.pid && recordingCount(rig) >= 2);
    expect(await terminate(runner)).toBe(0);
  }, 120_000);

  afterAll(() => rig?.cleanup());

  /** Runs `args`, expecting a clear refusal that mentions each of `mentions` and changes nothing stored. */
  function expectRefused(args: string[], mentions: string[]): string {
    const before = hashTree(rig.acoupiHome);
    const result = rig.run(args);
    const context = `acoupi ${args.join(" ")}\n${result.stderr}`;
    expect({ context, code: result.code }).toEqual({ context, code: 1 });
    expect(result.stderr).toMatch(/^Error: .+/m);
    expect(result.stderr).toMatch(/^Help: .+/m);
    for (const mention of mentions) expect({ context, mentions: result.stderr.includes(mention) }).toEqual({ context, mentions: true });
    expect(hashTree(rig.acoupiHome)).toBe(before);
    return result.stderr;
  }

  /** Sets config keys for one test and puts the original program.json back afterwards. */
  async function withConfig(pairs: Array<[string, string]>, body: () => void | Promise<void>): Promise<void> {
    const original = readFileSync(rig.files.programJson);
    try {
      for (const [key, value] of pairs) mustRun(rig, ["config", "set", key, value]);
      await body();
    } finally {
      writeFileSync(rig.files.programJson, original);
    }
  }

  test("a malformed program.json is named by path for every command that reads it", () => {
    const original = readFileSync(rig.files.programJson);
    try {
      writeFileSync(rig.files.programJson, '{ "recording": { "duration": 5, }');
      for (const command of [["config", "show"], ["config", "set", "recording.duration", "5"], ["check"], ["run"], ["task", "list"]]) {
        expectRefused(command, [rig.files.programJson, "not valid JSON"]);
      }
    } finally {
      writeFileSync(rig.files.programJson, original);
    }
  });

  test.each([
    ["a wrong type", "recording.duration", "five", "recording.duration"],
    ["an unknown key", "recording.durations", "5", "recording.durations"],
    ["an out-of-range value", "microphone.samplerate", "1000", "microphone.samplerate"],
    ["a negative interval", "file_management.interval", "-1", "file_management.interval"],
    ["an unknown time zone", "timezone", "Mars/Olympus_Mons", "timezone"],
    ["saving folders that climb out of storage", "saving_managers", JSON.stringify({ true_dir: "../../escaped", false_dir: "/tmp/escaped" }), "saving_managers.true_dir"],
  ])("config set with %s names the key and changes nothing", (_what, key, value, mention) => {
    expectRefused(["config", "set", key, value], [mention]);
  });

  test.each([
    ["a wrong type", "recording.duration", "five", "recording.duration"],
    ["an unknown key", "recording.bogus", "1", "recording.bogus"],
    ["an out-of-range value", "microphone.samplerate", "999999999", "microphone.samplerate"],
    ["an unknown time zone", "timezone", "Mars/Olympus_Mons", "timezone"],
  ])("setup with %s names the key and leaves the existing setup alone", (_what, key, value, mention) => {
    expectRefused(setupWith(key, value), [mention]);
  });

  test("check names a model file that is missing", async () => {
    const missing = join(rig.dir, "no-such-model.onnx");
    await withConfig([["model.path", missing]], () => {
      expectRefused(["check"], [missing]);
    });
  });

  test("check names a model file that is not ONNX", async () => {
    const corrupt = join(rig.dir, "corrupt.onnx");
    writeFileSync(corrupt, "this is not a model\n".repeat(100));
    await withConfig([["model.path", corrupt]], () => {
      expectRefused(["check"], [corrupt]);
    });
  });

  test("check names a model whose inputs do not fit", async () => {
    const wrong = join(rig.dir, "energy.onnx");
    writeFileSync(wrong, energyModel(512));
    await withConfig([["model.path", wrong]], () => {
      expectRefused(["check"], [wrong]);
    });
  });

  test("check names a capture device that does not exist and points to `acoupi devices`", async () => {
    await withConfig([["microphone.device_name", "nosuchmic"]], () => {
      expectRefused(["check"], ['"nosuchmic"', "acoupi devices"]);
    });
  });

  test("a junk WAV in the temp folder at start is left in place and the runner goes on", async () => {
    const junk = join(rig.files.tmp, "20250101_000000_000_deadbeef.wav");
    writeFileSync(junk, "RIFF junk, not a wave file at all");
    const before = recordingCount(rig);
    const runner = rig.spawn(["run"]);
    try {
      await waitFor("recordings after the junk", () => readStatusFile(rig)?.pid === runner.pid && recordingCount(rig) >= before + 3);
    } finally {
      expect(await terminate(runner)).toBe(0);
    }
    expect(readFileSync(junk, "utf8")).toBe("RIFF junk, not a wave file at all");
    expect(readFileSync(rig.runLog, "utf8")).toContain(junk);
    const inspection = inspectStores(rig);
    expect(inspection.orphansInTemp).toEqual([junk]);
    expect(inspection.problems.filter((p) => !p.includes(junk))).toEqual([]);
  }, 60_000);
});

describe("labels and names with path separators", () => {
  let rig: Deployment;

  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest() });
  }, 120_000);

  afterAll(() => rig?.cleanup());

  test("never create folders: recordings are filed only under <recordings>/<Y>/<M>/<D>/", async () => {
    const model = join(rig.dir, "energy.onnx");
    writeFileSync(model, energyModel(8000));
    // A labels file: a list cannot be given as setup arguments (`--model.labels.0` is refused, a JSON list is read as a path).
    const labels = join(rig.dir, "labels.txt");
    writeFileSync(labels, "../../escaped-label\na/b\\c\n");
    mustRun(rig, [
      ...busySetupArgs(),
      "--model.kind", "classifier", "--model.path", model, "--model.samplerate", "16000", "--model.window", "0.5",
      "--model.labels", labels,
      "--detections.threshold", "0.001",
    ]);
    const runner = rig.spawn(["start", "--name", "../../escaped-deployment/x", "--no-check", "--foreground"]);
    try {
      await waitFor("saved recordings with detections", () => {
        if (readStatusFile(rig)?.pid !== runner.pid || !existsSync(rig.files.metadata)) return false;
        const db = new Database(rig.files.metadata, { readonly: true });
        try {
          return (db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM predicted_tags WHERE value LIKE '%/%'").get()?.n ?? 0) >= 4;
        } finally {
          db.close();
        }
      });
    } finally {
      expect(await terminate(runner)).toBe(0);
    }
    mustRun(rig, ["stop"]);

    const inspection = inspectStores(rig);
    expect(inspection.problems).toEqual([]);
    expect(inspection.saved).toBeGreaterThan(0);
    const everything = folders(rig.dir).map((f) => relative(rig.dir, f));
    expect(everything.filter((f) => /escaped/.test(f))).toEqual([]);
    const storage = folders(rig.files.recordings).map((f) => relative(rig.files.recordings, f));
    for (const folder of storage) expect(folder).toMatch(/^\d{4}(\/\d{1,2}(\/\d{1,2})?)?$/);
    for (const file of readdirSync(rig.files.recordings, { recursive: true, withFileTypes: true })) {
      if (file.isFile()) expect(relative(rig.files.recordings, join(file.parentPath, file.name))).toMatch(/^\d{4}\/\d{1,2}\/\d{1,2}\/[^/]+\.wav$/);
    }
    expect(statSync(rig.files.recordings).isDirectory()).toBe(true);
  }, 60_000);
});
