import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { DetectionConfigSchema } from "../../programs/detection.ts";
import { ConnectedConfigSchema } from "../../programs/connected.ts";
import { checkAnswer, checkBrokerHost, checkModelPath } from "../../src/config/answer-checks.ts";
import { Asker } from "../../src/config/ask.ts";
import { promptConfig } from "../../src/config/prompt.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { modelFromConfig } from "../../src/components/models/model-from-config.ts";
import { energyModel } from "../helpers/onnx-builder.ts";

/**
 * Answers each question by its key, as a person reading the prompt would: `answers[key]` is a
 * list of lines typed in turn for that key (Enter when it runs out). Returns the asker and the
 * questions seen, in order, with everything printed.
 */
function person(answers: Record<string, string[]>): { asker: Asker; asked: string[]; output: () => string } {
  const input = new PassThrough();
  const asked: string[] = [];
  let text = "";
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      // A question ends with ": " and names its key on its last line ("  model.path [x]: ").
      const last = text.slice(text.lastIndexOf("\n") + 1);
      if (/: $/.test(last)) {
        // A choice names its key above the numbered list ("  model.kind\n  1) classifier\n…Choose …: ").
        const chosen = /\n {2}([\w.]+)\n(?: {2}\d+\) .*\n)+Choose[^\n]*$/.exec(text)?.[1];
        const key = chosen ?? /([a-z_]+(?:\.[a-z_0-9]+)+|timezone)\b/.exec(last)?.[1] ?? /Configure ([\w.]+)\?/.exec(last)?.[1] ?? "";
        asked.push(key);
        const queue = answers[key] ?? [];
        input.write(`${queue.shift() ?? ""}\n`);
      }
      done();
    },
  });
  return { asker: new Asker(input, sink), asked, output: () => text };
}

/** The checks minus the microphone's: this machine has no capture device of its own to open. */
const offMic: typeof checkAnswer = (key, value, at) => (key.startsWith("microphone.") ? Promise.resolve(null) : checkAnswer(key, value, at));

let dir: string;
let model: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-answers-"));
  model = join(dir, "model.onnx");
  writeFileSync(model, energyModel(8000));
  writeFileSync(join(dir, "notes.onnx"), "not a model\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("setup checks each answer as it is given", () => {
  test("a broker given as mqtt://host:port is split into host and port; https://… is refused with the right form", async () => {
    expect(checkBrokerHost("mqtt://broker.example.org:1884")).toEqual({
      set: { "messaging.mqtt.host": "broker.example.org", "messaging.mqtt.port": 1884 },
      note: "Read mqtt://broker.example.org:1884 as messaging.mqtt.host broker.example.org, messaging.mqtt.port 1884",
    });
    expect(checkBrokerHost("mqtts://broker.example.org")?.set).toEqual({ "messaging.mqtt.host": "broker.example.org", "messaging.mqtt.transport": "tls" });
    expect(checkBrokerHost("https://broker.example.org/x")?.problem).toContain("takes a host name or IP address, such as broker.example.org");
    expect(checkBrokerHost("broker.example.org:1883")?.problem).toContain('takes the host alone ("broker.example.org"); give the port as messaging.mqtt.port');
    expect(checkBrokerHost("10.0.0.2")).toBeNull();

    const { asker, output } = person({ "messaging.mqtt": ["y"], "messaging.mqtt.host": ["mqtt://broker.example.org:1884"], "messaging.http": ["n"] });
    const draft = await promptConfig(ConnectedConfigSchema, {}, { asker, checkAnswer: offMic });
    const config = validateConfig(ConnectedConfigSchema, draft) as { messaging: { mqtt: { host: string; port: number } } };
    expect(config.messaging.mqtt).toMatchObject({ host: "broker.example.org", port: 1884 });
    expect(output()).toContain("Read mqtt://broker.example.org:1884 as messaging.mqtt.host broker.example.org, messaging.mqtt.port 1884");
    // The port was given in the URL, so it is not asked again.
    expect(output()).not.toContain("messaging.mqtt.port [");
  });

  test("a model path that does not exist, or is not ONNX, is refused and asked again; a relative one is made absolute", async () => {
    expect(checkModelPath(join(dir, "missing.onnx"))?.problem).toBe(`model.path: no file at ${join(dir, "missing.onnx")}`);
    expect(checkModelPath(join(dir, "notes.onnx"))?.problem).toContain("is not an ONNX model");
    expect(checkModelPath(dir)?.problem).toContain("is a folder");
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(checkModelPath("model.onnx")).toEqual({ set: { "model.path": model } });
    } finally {
      process.chdir(cwd);
    }
    const { asker, output } = person({
      "model.path": [join(dir, "missing.onnx"), join(dir, "notes.onnx"), model],
      "model.labels": ['["a", "b"]'],
      "model.samplerate": ["16000"],
      "model.window": ["0.5"],
    });
    const draft = await promptConfig(DetectionConfigSchema, {}, { asker, checkAnswer: offMic });
    expect((draft.model as { path: string }).path).toBe(model);
    expect(output()).toContain(`model.path: no file at ${join(dir, "missing.onnx")}\n  Please answer again`);
    expect(output()).toContain(`model.path: ${join(dir, "notes.onnx")} is not an ONNX model`);
  });

  test("a capture device that does not exist is refused, listing the devices found with their rates and channels", async () => {
    const verdict = await checkAnswer("microphone.device_name", "hw:7,0", () => undefined);
    expect(verdict?.problem).toContain('Cannot open capture device "hw:7,0"');
    expect(verdict?.problem).toContain("Devices found:");
    // This machine's devices, or plainly none (test/e2e/cli/setup-edit.test.ts lists a fake microphone).
    expect(verdict?.problem).toMatch(/Devices found:\n {4}(none \(is the USB microphone plugged in\?\)|\S+: any rate|hw:\d+,\d+ .*kHz)/);
  });
});

describe("a model's questions fit its kind", () => {
  test("detection with model.kind silero_vad asks none of the classifier's questions and uses the bundled VAD when no path is given", async () => {
    const { asker, asked } = person({ "model.kind": ["silero_vad"] });
    const draft = await promptConfig(DetectionConfigSchema, {}, { asker, checkAnswer: offMic });
    const config = validateConfig(DetectionConfigSchema, draft);
    for (const key of ["model.labels", "model.samplerate", "model.input", "model.output", "model.activation", "model.batch", "model.hop"]) expect(asked).not.toContain(key);
    expect(asked).toContain("model.kind");
    expect(asked).toContain("model.path");
    expect(config.model.path).toBeUndefined();
    const vad = modelFromConfig(config.model, 0.5);
    const report = await vad.check();
    expect(report.lines.join("\n")).toContain("(Silero VAD) loaded from");
    expect(report.lines.join("\n")).toContain("silero_vad_v5.onnx");
  }, 60_000);

  test("a classifier still asks for its labels, samplerate, tensors and activation", async () => {
    const { asker, asked } = person({ "model.path": [model], "model.labels": ['["a", "b"]'], "model.samplerate": ["16000"], "model.window": ["0.5"] });
    await promptConfig(DetectionConfigSchema, {}, { asker, checkAnswer: offMic });
    for (const key of ["model.labels", "model.samplerate", "model.input", "model.activation", "model.batch"]) expect(asked).toContain(key);
  });
});
