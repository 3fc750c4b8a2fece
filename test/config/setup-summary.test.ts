/**
 * @module What `acoupi setup` says the configured program will do: which recordings it keeps,
 * and where it sends, read from the config by dotted key (hosts only: a URL's password never shows).
 */
import { describe, expect, test } from "bun:test";
import { ConnectedConfigSchema } from "../../programs/connected.ts";
import { setupSummary } from "../../src/config/setup-summary.ts";

describe("the setup summary", () => {
  test("names the MQTT broker, or the HTTP host without the URL's credentials", () => {
    const mqtt = ConnectedConfigSchema.parse({ timezone: "Europe/Paris", messaging: { mqtt: { host: "broker.example", port: 8883, username: "u", password: "secret-pw" } } });
    expect(setupSummary(mqtt)).toContain("Sends a heartbeat every 1 h to the MQTT broker broker.example:8883");
    const http = ConnectedConfigSchema.parse({ messaging: { http: { base_url: "https://user:secret-pw@api.example/x" } } });
    const lines = setupSummary(http);
    expect(lines).toContain("Sends a heartbeat every 1 h to api.example");
    expect(lines.join("\n")).not.toContain("secret-pw");
    expect(setupSummary(ConnectedConfigSchema.parse({}))).toContain("Sends nothing: no messenger (messaging.mqtt or messaging.http) is configured, so no message is queued");
  });

  test("says which recordings are kept: a saving window, or the detection thresholds and folders", () => {
    const window = ConnectedConfigSchema.parse({ recording_saving: { starttime: "19:00:00", endtime: "05:00:00", before_dawndusk_duration: 0, after_dawndusk_duration: 0 } });
    expect(setupSummary(window)).toContain("Keeps only recordings made between 19:00 and 05:00");
    const dawn = ConnectedConfigSchema.parse({ recording_saving: { starttime: "19:00:00", endtime: "05:00:00", before_dawndusk_duration: 10 } });
    expect(setupSummary(dawn)).toContain("Keeps only recordings made between 19:00 and 05:00, or around dawn and dusk");
    const managers = { recording: { duration: 3, interval: 10 }, saving_managers: { true_dir: "bats", false_dir: "no_bats", detection_threshold: 0.6, saving_threshold: 0.3 } };
    expect(setupSummary(managers)).toContain("Keeps a recording only if a detection scores ≥ 0.3 (≥ 0.6 in bats/, the rest in no_bats/)");
  });
});
