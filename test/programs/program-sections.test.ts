/**
 * @module The one door to a program config's known sections: the built-in programs' configs read
 * as typed sections; a renamed or reshaped section is a ConfigError naming the key at run time,
 * and (the `@ts-expect-error` lines, checked by `tsc --noEmit`) a compile error through `sectionsOf`
 * and `defineProgram`.
 */
import { describe, expect, test } from "bun:test";
import { ConnectedConfigSchema } from "../../programs/connected.ts";
import { DefaultConfigSchema } from "../../programs/default.ts";
import { TestConfigSchema } from "../../programs/test.ts";
import { z } from "zod";
import { ConfigError } from "../../src/errors.ts";
import { defineProgram } from "../../src/programs/define-program.ts";
import { WebConfigSchema } from "../../src/programs/templates/web-config.ts";
import { programSections, sectionsOf } from "../../src/programs/program-sections.ts";

const PATHS = { tmp_audio: "/data/tmp", recordings: "/data/recordings", db_metadata: "/data/metadata.db" };

function defaultConfig(): Record<string, unknown> {
  return structuredClone(DefaultConfigSchema.parse({ timezone: "America/New_York", paths: PATHS, recording: { duration: 3, interval: 30 } }));
}

/** The ConfigError `read` throws (the test fails when it throws none, or another error). */
function refusal(read: () => unknown): ConfigError {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError, but the config was read");
}

describe("the known sections of a program's config", () => {
  test("the default program's validated config reads as its zone, folders, interval, web page and microphone", () => {
    const sections = programSections(defaultConfig(), { program: "default" });
    expect(sections.timezone).toBe("America/New_York");
    expect(sections.paths).toEqual(PATHS);
    expect(sections.recording).toEqual({ interval: 30, schedule_start: "06:00:00", schedule_end: "22:30:00" });
    expect(sections.web).toEqual({ enabled: false, host: "127.0.0.1", port: 8080, allowed_hosts: [], token: "" });
    expect(sections.microphone).toEqual({ device_name: "default", samplerate: 48000, audio_channels: 1 });
    expect(sections.messaging).toBeUndefined();
  });

  test("the connected program's config has its outbox under messaging.messages_db", () => {
    const config = ConnectedConfigSchema.parse({ paths: PATHS, messaging: { messages_db: "/data/messages.db" } });
    expect(programSections(config).messaging).toEqual({ messages_db: "/data/messages.db", mqtt: null, http: null });
  });

  test("a program without the known sections (the test program) reads as none of them", () => {
    expect(programSections(TestConfigSchema.parse({}))).toEqual({});
  });

  for (const [section, renamed] of [["paths", "path"], ["web", "webs"], ["timezone", "time_zone"], ["recording", "Recordings"], ["microphone", "microphones"]] as const) {
    test(`a config whose "${section}" section is renamed "${renamed}" is refused, naming both`, () => {
      const config = defaultConfig();
      config[renamed] = config[section];
      delete config[section];
      const error = refusal(() => programSections(config, { program: "renamed" }));
      expect(error.key).toBe(section);
      expect(error.message).toBe(`The config of program "renamed" has a section "${renamed}" but no "${section}": acoupi reads "${section}", so "${renamed}" would be ignored`);
      expect(error.help).toContain(`Rename "${renamed}" to "${section}"`);
    });
  }

  test("a section of another shape is refused, naming the key at fault", () => {
    const badPort = defaultConfig();
    badPort.web = { enabled: true, port: "8080" };
    const port = refusal(() => programSections(badPort, { program: "default", file: "/etc/program.json" }));
    expect(port.key).toBe("web.port");
    expect(port.message).toStartWith('The config of program "default" (/etc/program.json) has a section acoupi cannot read: web.port: expected number');

    const noDb = defaultConfig();
    noDb.paths = { tmp_audio: "/t", recordings: "/r" };
    expect(refusal(() => programSections(noDb)).key).toBe("paths.db_metadata");

    const zone = defaultConfig();
    zone.timezone = "Mars/Olympus_Mons";
    expect(refusal(() => programSections(zone)).message).toContain("timezone: an IANA time zone such as Europe/London");

    expect(refusal(() => programSections([1, 2])).message).toBe("The program's config is a list, not an object of sections");
  });

  test("a typed config compiles through sectionsOf, and a renamed or reshaped one does not", () => {
    const config = DefaultConfigSchema.parse({ paths: PATHS });
    expect(sectionsOf(config).paths?.db_metadata).toBe(PATHS.db_metadata);
    expect(sectionsOf(TestConfigSchema.parse({}))).toEqual({});

    const renamed = { timezone: "UTC", webs: { enabled: true } };
    // @ts-expect-error -- "webs" stands for the known section "web": the compiler refuses it
    expect(refusal(() => sectionsOf(renamed)).key).toBe("web");
    const singular = { path: PATHS };
    // @ts-expect-error -- "path" stands for "paths"
    expect(refusal(() => sectionsOf(singular)).key).toBe("paths");
    const plural = { paths: PATHS, microphones: { device_name: "hw:1,0", samplerate: 48000, audio_channels: 1 } };
    // @ts-expect-error -- "microphones" stands for "microphone"
    expect(refusal(() => sectionsOf(plural)).key).toBe("microphone");
    const reshaped = { paths: { db_metadata: "/data/metadata.db" } };
    // @ts-expect-error -- a paths section without recordings and tmp_audio
    expect(refusal(() => sectionsOf(reshaped)).key).toBe("paths.tmp_audio");
    const mistyped = { recording: { interval: "10" } };
    // @ts-expect-error -- recording.interval is a number of seconds
    expect(refusal(() => sectionsOf(mistyped)).key).toBe("recording.interval");
  });

  test("defineProgram does not compile a program whose schema renames a known section, and compiles one without any", () => {
    const renamed = defineProgram({
      name: "renamed-web",
      // @ts-expect-error -- "webs" looks like the known section "web" renamed
      configSchema: z.object({ timezone: z.string().default("UTC"), webs: WebConfigSchema.prefault({}) }),
      setup() {},
    });
    expect(refusal(() => programSections(renamed.configSchema.parse({}), { program: renamed.name })).key).toBe("web");
    const plain = defineProgram({ name: "plain", configSchema: z.object({ greeting: z.string().default("hi") }), setup() {} });
    expect(programSections(plain.configSchema.parse({}))).toEqual({});
  });
});
