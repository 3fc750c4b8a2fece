import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { parseConfigArgs } from "../../src/config/args.ts";
import { getField, setField } from "../../src/config/fields.ts";
import { noPrompt, secret } from "../../src/config/markers.ts";
import { maskSecrets, MASK } from "../../src/config/secrets.ts";
import { timeOfDay, timeZone } from "../../src/config/types.ts";
import { validateConfig } from "../../src/config/validate.ts";
import { listFields } from "../../src/config/walk.ts";
import { ConfigError } from "../../src/errors.ts";

const Schema = z.object({
  timezone: timeZone("Europe/London"),
  recording: z.object({
    duration: z.number().int().positive().default(3).describe("Seconds per file"),
    schedule_start: timeOfDay("06:00:00"),
    chunksize: noPrompt(z.number().int().default(8192)),
  }).prefault({}),
  labels: z.array(z.string()).default([]),
  mqtt: z.object({ host: z.string(), password: secret(z.string().optional()) }).nullable().default(null),
});

describe("config layer", () => {
  test("defaults fill an empty config and times are normalised to HH:MM:SS", () => {
    const config = validateConfig(Schema, { recording: { schedule_start: "7:30" } });
    expect(config.recording.duration).toBe(3);
    expect(config.recording.schedule_start).toBe("07:30:00");
    expect(config.timezone).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone); // the machine's own zone
  });

  test("an invalid value is refused with its key named", () => {
    expect(() => validateConfig(Schema, { recording: { duration: -1 } })).toThrow(/recording\.duration/);
    try {
      validateConfig(Schema, { recording: { duration: "five" } });
      throw new Error("should have thrown");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe("recording.duration");
      expect((error as Error).message).toMatch(/expected number/);
    }
  });

  test("unknown keys are refused by name", () => {
    expect(() => validateConfig(Schema, { recording: { durration: 5 } })).toThrow(/recording\.durration/);
  });

  test("an unknown time zone and a malformed time are refused", () => {
    expect(() => validateConfig(Schema, { timezone: "Mars/Olympus" })).toThrow(/timezone: unknown time zone "Mars\/Olympus"/);
    expect(() => validateConfig(Schema, { recording: { schedule_start: "25:00" } })).toThrow(/recording\.schedule_start/);
  });

  test("a section left out whole is reported by the keys inside it that have no default, and the help names the key", () => {
    const Own = z.object({
      loudness: z.object({ model: z.string(), labels: z.array(z.string()).default(["loud"]), inner: z.object({ path: z.string() }) }),
      keep: z.object({ min_score: z.number().default(0.1) }),
    });
    let error: ConfigError | undefined;
    try {
      validateConfig(Own, {}, { source: "the setup arguments", help: (key) => `Give --${key ?? "<key>"} <value>` });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain("loudness.model: required (string), and not given");
    expect(error?.message).toContain("loudness.inner.path: required (string), and not given");
    // A section whose keys all have defaults, but that is itself required, keeps its own issue.
    expect(error?.message).toContain("keep: required (object), and not given");
    expect(error?.help).toBe("Give --loudness.model <value>");
    expect(error?.message).not.toContain("received undefined");
  });

  test("acoupi-style arguments set nested keys and list items with types coerced", () => {
    const args = parseConfigArgs(Schema, ["--program", "x", "--recording.duration", "5", "--labels.0", "a", "--labels.1=b", "--mqtt.host", "127.0.0.1"]);
    expect(args).toEqual({ recording: { duration: 5 }, labels: ["a", "b"], mqtt: { host: "127.0.0.1" } });
    expect(() => parseConfigArgs(Schema, ["--recording.nope", "1"])).toThrow(/--recording\.nope/);
    expect(() => parseConfigArgs(Schema, ["--recording.duration", "abc"])).toThrow(/recording\.duration: expected a number|Invalid value for recording\.duration/);
  });

  test("get and set round-trip and set validates before returning", () => {
    const config = validateConfig(Schema, {});
    const updated = setField(Schema, config, "recording.duration", "10");
    expect(getField(Schema, updated, "recording.duration")).toBe(10);
    expect(getField(Schema, config, "recording.duration")).toBe(3);
    expect(() => setField(Schema, config, "recording.duration", "0")).toThrow(/recording\.duration/);
    expect(() => getField(Schema, config, "nope.x")).toThrow(/Field "nope\.x" is not part of the configuration/);
  });

  test("secrets are masked wherever they sit", () => {
    const config = validateConfig(Schema, { mqtt: { host: "h", password: "hunter2" } });
    const masked = maskSecrets(Schema, config) as { mqtt: { password: string; host: string } };
    expect(masked.mqtt.password).toBe(MASK);
    expect(masked.mqtt.host).toBe("h");
    expect(JSON.stringify(masked)).not.toContain("hunter2");
  });

  test("field listing carries descriptions and the no-prompt marker", () => {
    const fields = listFields(Schema);
    expect(fields.find((f) => f.path === "recording.duration")?.meta.description).toBe("Seconds per file");
    expect(fields.find((f) => f.path === "recording.chunksize")?.meta.noPrompt).toBe(true);
    expect(fields.find((f) => f.path === "mqtt.password")?.meta.secret).toBe(true);
  });
});

describe("fields that are a string or a list", () => {
  const Labels = z.object({ labels: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]) });

  test("list items reach the list option as --labels.0 a --labels.1 b, and a plain value stays a string", () => {
    expect(validateConfig(Labels, parseConfigArgs(Labels, ["--labels.0", "a", "--labels.1", "b"]))).toEqual({ labels: ["a", "b"] });
    expect(validateConfig(Labels, parseConfigArgs(Labels, ["--labels", "/x/labels.txt"]))).toEqual({ labels: "/x/labels.txt" });
  });
});
