/**
 * @module `acoupi setup --program NAME`: builds the program config from the schema defaults, a
 * whole file (`--config`), acoupi-style arguments (`--recording.duration 5`) and prompts, then
 * validates it and writes it atomically together with the program name. Prompts run on a
 * terminal, or read piped answers line by line; every answer goes to a draft at once, so an
 * interrupted setup is resumed. Setup is refused while a deployment is active, because the
 * runner and `acoupi stop` must keep the program they started with. With the web page enabled
 * it also creates the page's token.
 */
import { mkdirSync } from "node:fs";
import { defineCommand } from "citty";
import { checkAnswer, checkGivenValues } from "../../config/answer-checks.ts";
import { Asker, SetupCancelled, setEcho } from "../../config/ask.ts";
import { deepMerge, parseConfigArgs } from "../../config/args.ts";
import { setupSummary } from "../../config/setup-summary.ts";
import { askSitePrefix, sitePrefixTemplate } from "../../config/site-prefix.ts";
import { isSetUp, readProgramName, writeProgramConfig } from "../../config/config-file.ts";
import { readJsonFile } from "../../system/json-file.ts";
import { promptConfig } from "../../config/prompt.ts";
import { readSetupDraft, removeSetupDraft, setupDraftFile, writeSetupDraft } from "../../config/setup-draft.ts";
import { diffConfig, formatChanges } from "../../config/diff.ts";
import { storedPaths } from "../../config/home-paths.ts";
import { migrateAcoupi06 } from "../../config/migrate-acoupi-06.ts";
import { alsaDeviceFor } from "../../config/device-name.ts";
import { insecureTlsKeys } from "../../config/secrets.ts";
import { validateConfig } from "../../config/validate.ts";
import { ConfigError, DeploymentError } from "../../errors.ts";
import { writeFileAtomic } from "../../system/atomic-write.ts";
import { activeDeployment } from "../../system/deployment-file.ts";
import { deviceIdProblem, readDeviceIdentity, type DeviceIdSource } from "../../system/device-id.ts";
import { acoupiPaths, type AcoupiPaths } from "../../system/paths.ts";
import { programSections } from "../../programs/program-sections.ts";
import { ensureWebToken } from "../../web/token.ts";
import { deviceIdFile, programs } from "../../app/load-program.ts";

const ID_SOURCES: Record<DeviceIdSource, string> = {
  override: "set with --device-id or ACOUPI_DEVICE_ID",
  cpuinfo: "the Raspberry Pi serial",
  "device-tree": "the board serial",
  "machine-id": "derived from /etc/machine-id",
  hostname: "derived from the host name",
};

function refuseUnderDeployment(paths: AcoupiPaths): void {
  const current = activeDeployment(paths);
  if (!current) return;
  throw new DeploymentError(`A deployment is active ("${current.name}", started on ${current.started_on.toISOString()}): setup cannot change its program or configuration`, {
    help: "Run `acoupi stop` to end the deployment, then `acoupi setup` again (`acoupi config set` changes single settings)",
  });
}

async function prompted(paths: AcoupiPaths, programName: string, schema: Parameters<typeof promptConfig>[0], start: Record<string, unknown>, args: Record<string, unknown>, askPrefix: boolean) {
  const asker = new Asker();
  let config = start;
  let answered: string[] = [];
  const saved = readSetupDraft(paths);
  if (saved && saved.program === programName && saved.answered.length > 0) {
    if (asker.interactive && (await asker.confirm(`Resume the interrupted setup of ${programName} (${saved.answered.length} answers kept)?`, true))) {
      // Arguments given now win over the draft's answers.
      config = deepMerge(saved.config, args) as Record<string, unknown>;
      answered = saved.answered;
    }
  }
  let kept = answered.length;
  const interrupted = () => {
    if (asker.interactive) setEcho(true);
    process.stdout.write(`\nSetup interrupted: ${kept} answers are kept in ${setupDraftFile(paths)}; run \`acoupi setup --program ${programName}\` to resume\n`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  try {
    const answers = await promptConfig(schema, config, {
      asker,
      answered,
      checkAnswer,
      keepOpen: true,
      onAnswer: (draft, keys) => {
        kept = keys.length;
        writeSetupDraft(paths, { program: programName, config: draft, answered: keys });
      },
    });
    const prefix = askPrefix ? await askSitePrefix(schema, asker) : undefined;
    return prefix ? (deepMerge(answers, { file_management: { filename_template: sitePrefixTemplate(prefix) } }) as Record<string, unknown>) : answers;
  } catch (error) {
    if (error instanceof SetupCancelled && kept > 0) {
      throw new ConfigError(`${error.message}; ${kept} answers are kept in ${setupDraftFile(paths)}`, {
        help: `Run \`acoupi setup --program ${programName}\` on a terminal (\`ssh -t\`) to resume them`,
      });
    }
    throw error;
  } finally {
    asker.close();
    process.off("SIGINT", interrupted);
  }
}

export default defineCommand({
  meta: { name: "setup", description: "Configure a program: `acoupi setup --program default --recording.duration 5`" },
  args: {
    program: { type: "string", description: "Program name (test, default, connected, detection, birdnet) or a .ts/.js file", default: "test" },
    config: { type: "string", description: "Load a whole program.json (e.g. a fleet template) as the starting point" },
    prompt: { type: "boolean", description: "Ask for each setting (use --no-prompt to accept defaults and arguments)", default: true },
    "device-id": { type: "string", description: "Override the device id (otherwise the Pi serial or machine id)" },
    "site-prefix": { type: "string", description: "Name files <PREFIX>_YYYYMMDD_HHMMSS.wav (UTC), as upload platforms read them; asked on a terminal" },
    edit: { type: "string", description: "Ask one answer again (a dotted key) on an interrupted or finished setup" },
  },
  async run({ args, rawArgs }) {
    const paths = acoupiPaths();
    if (args.edit !== undefined) {
      refuseUnderDeployment(paths);
      const { editAnswer } = await import("./_setup-edit.ts");
      await editAnswer(paths, args.edit);
      return;
    }
    // Asked nothing, the arguments are checked first (their errors name the key); questions are not
    // asked at all under a deployment.
    if (args.prompt) refuseUnderDeployment(paths);
    const programName = programs.canonical(args.program);
    const definition = await programs.load(programName);
    const fromArgs = parseConfigArgs(definition.configSchema, rawArgs);
    let base: unknown = {};
    let migrated = false;
    if (args.config) {
      const read = migrateAcoupi06(definition.configSchema, readJsonFile(args.config));
      base = read.value;
      migrated = read.notes.length > 0;
      if (migrated) process.stdout.write(`Read ${args.config} as an acoupi 0.6 file:\n${read.notes.map((n) => `  ${n}`).join("\n")}\n`);
    }
    let draft = deepMerge(base, fromArgs) as Record<string, unknown>;
    if (args.prompt) {
      if (process.stdin.isTTY !== true) {
        process.stderr.write("Standard input is not a terminal: reading the answers line by line (use `--no-prompt` to take the defaults and arguments without questions)\n");
      }
      draft = await prompted(paths, programName, definition.configSchema, draft, fromArgs, args["site-prefix"] === undefined);
    }
    const prefix = args["site-prefix"];
    if (prefix) draft = deepMerge(draft, { file_management: { filename_template: sitePrefixTemplate(prefix) } }) as Record<string, unknown>;
    checkGivenValues(draft);
    let config = validateConfig(definition.configSchema, draft, {
      source: args.config ?? "the setup arguments",
      help: migrated
        ? `acoupi 0.6's model packages ran their models in Python: give the ONNX export and its labels, such as \`--model.path model.onnx --model.labels labels.txt\` (with \`--model.samplerate\` and \`--model.window\` for a generic classifier), and any other value as \`--<key> <value>\``
        : (key) => `Give the value as an argument, such as \`acoupi setup --program ${programName} --no-prompt --${key ?? "<key>"} <value>\`, or run setup on a terminal to be asked`,
    });
    refuseUnderDeployment(paths);
    let sections = programSections(config, { program: programName });
    const device = sections.microphone === undefined ? null : await alsaDeviceFor(sections.microphone.device_name);
    if (device !== null) {
      // An acoupi 0.6 (PyAudio) microphone name: store the ALSA device it means.
      config = validateConfig(definition.configSchema, deepMerge(config, { microphone: { device_name: device } }));
      sections = programSections(config, { program: programName });
    }
    const deviceId = args["device-id"] ?? process.env.ACOUPI_DEVICE_ID;
    const problem = deviceId ? deviceIdProblem(deviceId) : null;
    if (problem !== null) {
      throw new ConfigError(`The device id ${JSON.stringify(deviceId)} cannot be used: ${problem}`, {
        help: "Use letters, digits, - and _ (it becomes an MQTT topic level and part of file names), e.g. --device-id garden-07",
      });
    }

    const previous = isSetUp(paths) ? readProgramName(paths) : null;
    const previousConfig = previous === programName ? readJsonFile(paths.programJson) : null;
    mkdirSync(paths.runDir, { recursive: true });
    mkdirSync(paths.logDir, { recursive: true });
    writeProgramConfig(paths, programName, config, definition.configSchema);
    removeSetupDraft(paths);
    if (deviceId) writeFileAtomic(deviceIdFile(paths), `${deviceId}\n`);
    for (const key of insecureTlsKeys(config)) {
      process.stderr.write(`Warning: ${key} is false: TLS certificates are not checked, so anyone on the network path can pose as the server\n`);
    }
    if (previous !== null && previous !== programName) process.stdout.write(`The program changed from "${previous}" to "${programName}"\n`);
    if (previousConfig !== null) {
      // The previous file holds paths as stored (relative to the home): compare like with like.
      const changes = formatChanges(definition.configSchema, diffConfig(previousConfig, storedPaths(definition.configSchema, config, paths.home)));
      process.stdout.write(changes.length > 0 ? `Changed from the previous setup:\n${changes.join("\n")}\n` : "The configuration is the same as before\n");
    }
    process.stdout.write(`Program "${definition.name}" is set up; its configuration is in ${paths.programJson}\n`);
    const identity = deviceId ? { id: deviceId, source: "override" as const } : readDeviceIdentity();
    process.stdout.write(`Device id: ${identity.id} (${ID_SOURCES[identity.source]})\n`);
    if (identity.source === "machine-id" || identity.source === "hostname") {
      process.stdout.write("  Sensors made from one cloned SD card share this id: give each its own with --device-id\n");
    }
    const web = sections.web;
    if (web?.enabled) {
      ensureWebToken(paths, web); // the page's token exists from setup on (config/web-token, mode 0600)
      process.stdout.write("The web page is on: `acoupi web url` prints its address\n");
    }
    process.stdout.write(`\nWhat it will do:\n${setupSummary(config).map((l) => `  ${l}`).join("\n")}\n\n`);
    process.stdout.write("Next: `acoupi check`, then `acoupi start`\n");
  },
});
