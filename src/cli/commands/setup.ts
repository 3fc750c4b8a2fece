/**
 * @module `acoupi setup --program NAME`: builds the program config from the schema defaults, a
 * whole file (`--config`), acoupi-style arguments (`--recording.duration 5`) and prompts, then
 * validates it once and writes it atomically. Nothing is written when validation fails.
 */
import { mkdirSync } from "node:fs";
import { defineCommand } from "citty";
import { deepMerge, parseConfigArgs } from "../../config/args.ts";
import { readJsonFile, writeProgramConfig } from "../../config/config-file.ts";
import { promptConfig } from "../../config/prompt.ts";
import { insecureTlsKeys } from "../../config/secrets.ts";
import { validateConfig } from "../../config/validate.ts";
import { ConfigError } from "../../errors.ts";
import { writeFileAtomic } from "../../system/atomic-write.ts";
import { deviceIdProblem, readDeviceIdentity, type DeviceIdSource } from "../../system/device-id.ts";
import { acoupiPaths } from "../../system/paths.ts";
import { deviceIdFile, programs } from "../load-program.ts";

const ID_SOURCES: Record<DeviceIdSource, string> = {
  override: "set with --device-id or ACOUPI_DEVICE_ID",
  cpuinfo: "the Raspberry Pi serial",
  "device-tree": "the board serial",
  "machine-id": "derived from /etc/machine-id",
  hostname: "derived from the host name",
};

export default defineCommand({
  meta: { name: "setup", description: "Configure a program: `acoupi setup --program default --recording.duration 5`" },
  args: {
    program: { type: "string", description: "Program name (test, default, connected, detection, birdnet) or a .ts/.js file", default: "test" },
    config: { type: "string", description: "Load a whole program.json (e.g. a fleet template) as the starting point" },
    prompt: { type: "boolean", description: "Ask for each setting (use --no-prompt to accept defaults and arguments)", default: true },
    "device-id": { type: "string", description: "Override the device id (otherwise the Pi serial or machine id)" },
  },
  async run({ args, rawArgs }) {
    const paths = acoupiPaths();
    const programName = programs.canonical(args.program);
    const definition = await programs.load(programName);
    let draft: unknown = args.config ? readJsonFile(args.config) : {};
    draft = deepMerge(draft, parseConfigArgs(definition.configSchema, rawArgs));
    const interactive = args.prompt && process.stdin.isTTY === true;
    if (interactive) draft = await promptConfig(definition.configSchema, draft as Record<string, unknown>);
    const config = validateConfig(definition.configSchema, draft, { source: args.config ?? "the setup arguments" });
    const deviceId = args["device-id"] ?? process.env.ACOUPI_DEVICE_ID;
    const problem = deviceId ? deviceIdProblem(deviceId) : null;
    if (problem !== null) {
      throw new ConfigError(`The device id ${JSON.stringify(deviceId)} cannot be used: ${problem}`, {
        help: "Use letters, digits, - and _ (it becomes an MQTT topic level and part of file names), e.g. --device-id garden-07",
      });
    }

    mkdirSync(paths.runDir, { recursive: true });
    mkdirSync(paths.logDir, { recursive: true });
    writeProgramConfig(paths, programName, config);
    if (deviceId) writeFileAtomic(deviceIdFile(paths), `${deviceId}\n`);
    for (const key of insecureTlsKeys(config)) {
      process.stderr.write(`Warning: ${key} is false: TLS certificates are not checked, so anyone on the network path can pose as the server\n`);
    }
    process.stdout.write(`Program "${definition.name}" is set up; its configuration is in ${paths.programJson}\n`);
    const identity = deviceId ? { id: deviceId, source: "override" as const } : readDeviceIdentity();
    process.stdout.write(`Device id: ${identity.id} (${ID_SOURCES[identity.source]})\n`);
    if (identity.source === "machine-id" || identity.source === "hostname") {
      process.stdout.write("  Sensors made from one cloned SD card share this id: give each its own with --device-id\n");
    }
    process.stdout.write("Next: `acoupi check`, then `acoupi start`\n");
  },
});
