import { describe, expect, test } from "bun:test";
import { dirname, join, relative, sep } from "node:path";
import {
  dateFileManager,
  idFileManager,
  saveRecordingManager,
  SavingManagersSchema,
} from "../../../src/components/file-managers/index.ts";
import { ConfigError } from "../../../src/errors.ts";
import { savingManagersFromConfig } from "../../../src/components/file-managers/save-recording-manager.ts";
import { acoupiHome } from "../../../src/system/paths.ts";
import { outputWith, RECORDING_ID, recordingAt } from "../../helpers/records.ts";

const ROOT = "/srv/acoupi/recordings";

function staysInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep);
}

describe("dateFileManager", () => {
  const recording = recordingAt("2023-04-05T07:08:09Z");

  test("files by UTC date in zero-padded folders (so they sort), with acoupi's default name", () => {
    expect(dateFileManager({ directory: ROOT })(recording, [])).toBe(`${ROOT}/2023/04/05/20230405_070809_${RECORDING_ID}.wav`);
  });

  test("knows where acoupi 0.6 filed the same recording (folders not zero-padded)", () => {
    const manager = dateFileManager({ directory: ROOT });
    expect(manager.previousPaths?.(manager(recording, []) ?? "")).toEqual([`${ROOT}/2023/4/5/20230405_070809_${RECORDING_ID}.wav`]);
    expect(manager.previousPaths?.(`${ROOT}/2023/12/31/x.wav`)).toEqual([]);
  });

  test("uses the UTC date even when the local date differs", () => {
    // 23:30Z on 31 Dec is already 1 Jan in Berlin, but acoupi files by UTC.
    expect(dateFileManager({ directory: ROOT })(recordingAt("2023-12-31T23:30:00Z"), [])).toBe(
      `${ROOT}/2023/12/31/20231231_233000_${RECORDING_ID}.wav`,
    );
  });

  test("accepts acoupi's {recording.…} template form and deployment fields", () => {
    const manager = dateFileManager({
      directory: ROOT,
      filename_template: "{deployment.name}-{recording.created_on:%Y-%m-%dT%H%M%S.%f}-{samplerate}{{x}}.wav",
    });
    expect(manager(recording, [])).toBe(`${ROOT}/2023/04/05/garden-2023-04-05T070809.000000-48000{x}.wav`);
  });

  test("renders a date without a format as Python's str() with its colons sanitised", () => {
    const manager = dateFileManager({ directory: ROOT, filename_template: "{created_on}.wav" });
    expect(manager(recording, [])).toBe(`${ROOT}/2023/04/05/2023-04-05 07_08_09+00_00.wav`);
  });

  test("a deployment name with path separators never creates or escapes a directory", () => {
    const manager = dateFileManager({ directory: ROOT, filename_template: "{deployment.name}_{id}.wav" });
    for (const name of ["../../etc/passwd", "a/b\\c", "..", "x<>:\"|?*y"]) {
      const path = manager(recordingAt("2023-04-05T07:08:09Z", { name }), []);
      expect(path).not.toBeNull();
      const target = path ?? "";
      expect(dirname(target)).toBe(`${ROOT}/2023/04/05`);
      expect(staysInside(target, ROOT)).toBe(true);
    }
    expect(manager(recordingAt("2023-04-05T07:08:09Z", { name: "../../etc/passwd" }), [])).toBe(
      `${ROOT}/2023/04/05/.._.._etc_passwd_${RECORDING_ID}.wav`,
    );
    const bare = dateFileManager({ directory: ROOT, filename_template: "{deployment.name}" });
    expect(bare(recordingAt("2023-04-05T07:08:09Z", { name: ".." }), [])).toBe(`${ROOT}/2023/04/05/__`);
  });

  test("a template with an unknown field, format or stray brace is a ConfigError when built", () => {
    for (const filename_template of ["{species}.wav", "{created_on:%Q}.wav", "{id:%Y}.wav", "{id.wav", "id}.wav", "{device.id}.wav"]) {
      expect(() => dateFileManager({ directory: ROOT, filename_template })).toThrow(ConfigError);
    }
    expect(dateFileManager({ directory: ROOT, filename_template: "{device.id}_{id}.wav", device_id: "pi-01" })(recording, [])).toBe(
      `${ROOT}/2023/04/05/pi-01_${RECORDING_ID}.wav`,
    );
  });

});

describe("idFileManager", () => {
  test("names the file after the recording id", () => {
    expect(idFileManager({ directory: ROOT })(recordingAt("2023-04-05T07:08:09Z"), [])).toBe(`${ROOT}/${RECORDING_ID}.wav`);
  });

  test("reads a relative directory under $ACOUPI_HOME, as every path of the config", () => {
    expect(idFileManager({ directory: "recordings" })(recordingAt("2023-04-05T07:08:09Z"), [])).toBe(
      join(acoupiHome(), "recordings", `${RECORDING_ID}.wav`),
    );
  });
});

describe("saveRecordingManager", () => {
  const recording = recordingAt("2024-06-21T21:05:30Z");
  const manager = saveRecordingManager({ dirpath: ROOT });

  test("a recording no model has seen goes to dirpath", () => {
    expect(manager(recording, [])).toBe(`${ROOT}/20240621_210530.wav`);
  });

  test("a detection at the detection threshold goes to true_detections", () => {
    expect(manager(recording, [outputWith(recording, [{ score: 0.1 }, { score: 0.6 }])])).toBe(`${ROOT}/true_detections/20240621_210530.wav`);
  });

  test("a detection between the thresholds goes to false_detections", () => {
    expect(manager(recording, [outputWith(recording, [{ score: 0.3 }])])).toBe(`${ROOT}/false_detections/20240621_210530.wav`);
  });

  test("detections below both thresholds, or none, are not this manager's", () => {
    expect(manager(recording, [outputWith(recording, [{ score: 0.29 }])])).toBeNull();
    expect(manager(recording, [outputWith(recording, [])])).toBeNull();
  });

  test("the first output that reaches a threshold decides, as in acoupi", () => {
    const doubtful = outputWith(recording, [{ score: 0.4 }]);
    const confident = outputWith(recording, [{ score: 0.9 }]);
    expect(manager(recording, [doubtful, confident])).toBe(`${ROOT}/false_detections/20240621_210530.wav`);
    expect(manager(recording, [outputWith(recording, [{ score: 0.1 }]), confident])).toBe(`${ROOT}/true_detections/20240621_210530.wav`);
  });

  test("custom folders, thresholds and time format; a format with slashes adds no folder", () => {
    const custom = saveRecordingManager({
      dirpath: ROOT,
      dirpath_true: "/data/bats",
      dirpath_false: "/data/no_bats",
      timeformat: "%Y/%m/%d %H:%M",
      detection_threshold: 0.5,
      saving_threshold: 0.2,
    });
    expect(custom(recording, [outputWith(recording, [{ score: 0.5 }])])).toBe("/data/bats/2024_06_21 21_05.wav");
    expect(custom(recording, [outputWith(recording, [{ score: 0.2 }])])).toBe("/data/no_bats/2024_06_21 21_05.wav");
  });

  test("an unknown time format directive is a ConfigError when built", () => {
    expect(() => saveRecordingManager({ dirpath: ROOT, timeformat: "%Y%q" })).toThrow(ConfigError);
  });

  test("the saving_managers section carries acoupi's defaults and files under the recordings folder", () => {
    const section = SavingManagersSchema.parse({});
    expect(section).toEqual({
      true_dir: "true_detections",
      false_dir: "false_detections",
      timeformat: "%Y%m%d_%H%M%S",
      detection_threshold: 0.6,
      saving_threshold: 0.3,
    });
    const manager = savingManagersFromConfig(section, ROOT);
    expect(manager(recording, [outputWith(recording, [{ score: 0.7 }])])).toStartWith(`${ROOT}/true_detections/`);
    expect(manager(recording, [outputWith(recording, [{ score: 0.4 }])])).toStartWith(`${ROOT}/false_detections/`);
    expect(SavingManagersSchema.safeParse({ true_dir: "../outside" }).success).toBe(false);
    expect(SavingManagersSchema.safeParse({ false_dir: "/abs" }).success).toBe(false);
  });
});
