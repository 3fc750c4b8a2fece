import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { matchCard } from "../../../src/config/device-name.ts";
import { makeTempHome, REPO, runAcoupi, type TempHome } from "../../helpers/cli.ts";

const FIXTURES = join(REPO, "test/fixtures/acoupi-0.6");
let home: TempHome;
beforeEach(() => {
  home = makeTempHome();
});
afterEach(() => home.cleanup());

const programJson = () => JSON.parse(readFileSync(join(home.acoupiHome, "config/program.json"), "utf8"));
const model = ["--model.path", "/opt/models/model.onnx", "--model.labels", "/opt/models/labels.txt"];
// The generic classifier has no preset rate and window (birdnet has).
const classifier = [...model, "--model.samplerate", "256000", "--model.window", "0.5"];

describe("program files from acoupi 0.6's model packages", () => {
  test("acoupi_birdnet's program.json loads, each moved key is reported, and the values are kept", () => {
    const setup = runAcoupi(["setup", "--program", "acoupi_birdnet.program", "--config", join(FIXTURES, "birdnet-program.json"), "--no-prompt", ...model], home.env);
    expect(setup.stderr).toBe("");
    expect(setup.stdout).toContain("moved saving_filters → recording_saving");
    expect(setup.stdout).toContain("moved model.detection_threshold → detections.message_threshold");
    const config = programJson();
    expect(config.recording_saving).toMatchObject({ starttime: "17:00:00", endtime: "21:00:00", before_dawndusk_duration: 30, after_dawndusk_duration: 30 });
    expect(config.detections).toMatchObject({ threshold: 0.2, message_threshold: 0.4 });
    expect(config.saving_managers).toMatchObject({ true_dir: "birds", false_dir: "no_birds", detection_threshold: 0.4, saving_threshold: 0.2 });
    expect(config.messaging.mqtt).toMatchObject({ host: "broker.example.org", port: 1884, username: "sensor", password: "hunter2-secret", topic: "acoupi" });
    expect(config.recording).toMatchObject({ schedule_start: "04:00:00", schedule_end: "23:00:00" });
  });

  test("without the ONNX model, the error names model.path and says what to give", () => {
    const setup = runAcoupi(["setup", "--program", "acoupi_birdnet.program", "--config", join(FIXTURES, "birdnet-program.json"), "--no-prompt"], home.env);
    expect(setup.code).toBe(1);
    expect(setup.stderr).toContain("model.path");
    expect(setup.stderr).toContain("give the ONNX export and its labels, such as `--model.path model.onnx --model.labels labels.txt`");
  });

  test("acoupi_batdetect2's program.json loads into the detection program; its score filter is dropped with a reason", () => {
    const setup = runAcoupi(
      ["setup", "--program", "detection", "--config", join(FIXTURES, "batdetect2-program.json"), "--no-prompt", ...classifier, "--microphone.device_name", "plughw:1,0"],
      home.env,
    );
    expect(setup.stderr).toBe("");
    expect(setup.stdout).toContain("dropped saving_filters.saving_threshold (0.3)");
    expect(setup.stdout).toContain("moved saving_managers.bat_threshold → saving_managers.saving_threshold");
    const config = programJson();
    expect(config.saving_managers).toMatchObject({ true_dir: "bats", false_dir: "no_bats", saving_threshold: 0.5, detection_threshold: 0.4 });
    expect(config.recording_saving).toMatchObject({ starttime: "19:00:00", endtime: "07:00:00" });
    expect(config.recording_saving.saving_threshold).toBeUndefined();
  });

  test("a PyAudio device name with no matching card is refused with the list of cards", () => {
    const setup = runAcoupi(["setup", "--program", "detection", "--config", join(FIXTURES, "batdetect2-program.json"), "--no-prompt", ...classifier], home.env);
    expect(setup.code).toBe(1);
    expect(setup.stderr).toContain('microphone.device_name "UltraMic 250K 16 bit r4" looks like an acoupi 0.6 (PyAudio) name, and no sound card is called that; sound cards: ');
    expect(setup.stderr).toContain("acoupi devices");
  });
});

describe("PyAudio names and ALSA cards", () => {
  // As the kernel names a Dodotronic UltraMic and a Pi's HDMI audio.
  const cards = [
    { name: "vc4-hdmi", longName: "vc4-hdmi", device: "hw:0,0" },
    { name: "UltraMic 250K 16 bit r4", longName: "Dodotronic UltraMic 250K 16 bit r4 at usb-0000:01:00.0-1.3, full speed", device: "hw:2,0" },
  ];
  test("the PyAudio name (with or without its host API suffix) is the card of that name", () => {
    expect(matchCard("UltraMic 250K 16 bit r4", cards)).toBe("plughw:2,0");
    expect(matchCard("UltraMic 250K 16 bit r4: USB Audio (hw:3,0)", cards)).toBe("plughw:3,0");
    expect(matchCard("ultramic 250k 16 bit r4", cards)).toBe("plughw:2,0");
    expect(matchCard("AudioMoth USB Microphone", cards)).toBeNull();
  });
});
