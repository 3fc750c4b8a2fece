import { describe, expect, test } from "bun:test";
import { PassThrough, Writable } from "node:stream";
import { z } from "zod";
import { Asker } from "../../src/config/ask.ts";
import { askWhen, atLeast, noPrompt, requiredWhen } from "../../src/config/markers.ts";
import { promptConfig } from "../../src/config/prompt.ts";
import { timeOfDay } from "../../src/config/types.ts";
import { validateConfig } from "../../src/config/validate.ts";

const Schema = z.object({
  recording: z
    .object({
      duration: z.number().int().positive().default(3).describe("Seconds per file"),
      schedule_start: timeOfDay("06:00:00"),
      chunksize: noPrompt(z.number().int().default(8192)),
    })
    .prefault({}),
  order: z.enum(["oldest_first", "newest_first"]).default("oldest_first"),
  mqtt: z.object({ host: z.string(), port: z.number().int().default(1883) }).nullable().default(null),
});

function answering(lines: string[]): { asker: Asker; output: () => string } {
  const input = new PassThrough();
  let text = "";
  const sink = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  input.end(`${lines.join("\n")}\n`);
  return { asker: new Asker(input, sink), output: () => text };
}

describe("interactive setup", () => {
  test("Enter keeps the default, typed answers are coerced, no-prompt fields are never asked", async () => {
    const { asker } = answering(["", "07:15", "2", "n"]);
    const result = await promptConfig(Schema, { recording: { duration: 5 } }, asker);
    const config = validateConfig(Schema, result);
    expect(config.recording.duration).toBe(5); // the argument given before prompting was kept
    expect(config.recording.schedule_start).toBe("07:15:00");
    expect(config.order).toBe("newest_first");
    expect(config.mqtt).toBeNull();
    expect(config.recording.chunksize).toBe(8192);
  });

  test("an optional section is asked for only when wanted, and a bad number is asked again", async () => {
    const { asker } = answering(["", "", "", "y", "broker.local", "abc", "8883"]);
    const config = validateConfig(Schema, await promptConfig(Schema, {}, asker));
    expect(config.mqtt).toEqual({ host: "broker.local", port: 8883 });
  });

  test("running out of answers cancels setup with an error that says what to do", async () => {
    const { asker } = answering([""]);
    await expect(promptConfig(Schema, {}, asker)).rejects.toThrow(/Setup was cancelled/);
  });

  test("an answer below its atLeast sibling is asked again with the reason", async () => {
    const Timed = z.object({ duration: z.number().default(3), interval: atLeast("duration", z.number().default(10)) });
    const { asker, output } = answering(["5", "2", "6"]);
    const config = validateConfig(Timed, await promptConfig(Timed, {}, asker));
    expect(config).toEqual({ duration: 5, interval: 6 });
    expect(output()).toContain("interval (2) is below duration (5): it must be at least duration; please answer again");
  });

  test("an askWhen field is skipped while its sibling is off, and asked once it is on", async () => {
    const Tls = z.object({ use_tls: z.boolean().default(false), ca_file: askWhen("use_tls", z.string().nullable().default(null)) });
    const off = answering(["n"]);
    expect(validateConfig(Tls, await promptConfig(Tls, {}, off.asker))).toEqual({ use_tls: false, ca_file: null });
    expect(off.output()).not.toContain("ca_file");
    const on = answering(["y", "/etc/ca.pem"]);
    expect(validateConfig(Tls, await promptConfig(Tls, {}, on.asker))).toEqual({ use_tls: true, ca_file: "/etc/ca.pem" });
  });

  test("an optional field left empty is left out, unless its requiredWhen sibling says it is needed", async () => {
    const Model = z.object({
      kind: z.enum(["classifier", "vad"]).default("classifier"),
      labels: requiredWhen("kind", "classifier", z.string().optional()),
    });
    const vad = answering(["2", ""]);
    expect(validateConfig(Model, await promptConfig(Model, {}, vad.asker))).toEqual({ kind: "vad" });
    const classifier = answering(["1", "", "labels.txt"]);
    expect(validateConfig(Model, await promptConfig(Model, {}, classifier.asker))).toEqual({ kind: "classifier", labels: "labels.txt" });
    expect(classifier.output()).toContain('labels is required when kind is "classifier"; please answer again');
    expect(() => validateConfig(Model, { kind: "classifier" })).toThrow('labels is required when kind is "classifier"');
  });
});
