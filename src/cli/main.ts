#!/usr/bin/env bun
/**
 * @module The `acoupi` command. Subcommands load lazily, so `acoupi --help` imports no FFI,
 * ONNX or MQTT code; each command lives in its own file under commands/.
 */
import { defineCommand, runCommand, showUsage, type CommandDef } from "citty";
import { COMMIT, VERSION } from "../version.ts";
import { reportError } from "./report.ts";

type Lazy = () => Promise<CommandDef>;
// Each command file default-exports a command with its own typed args; citty takes them as CommandDef.
const load = (p: Promise<{ default: unknown }>): Promise<CommandDef> => p.then((m) => m.default as CommandDef);

/** Root commands with their one-line descriptions, so `acoupi --help` needs none of their modules. */
const COMMANDS: Array<[name: string, description: string, loader: Lazy]> = [
  ["setup", "Configure a program: `acoupi setup --program default`", () => load(import("./commands/setup.ts"))],
  ["config", "Show, read or change the program configuration", () => load(import("./commands/config/index.ts"))],
  ["check", "Run the program's health checks", () => load(import("./commands/check.ts"))],
  ["start", "Start a deployment (alias of `deployment start`)", () => load(import("./commands/deployment/start.ts"))],
  ["stop", "Stop the runner and end the deployment (alias of `deployment stop`)", () => load(import("./commands/deployment/stop.ts"))],
  ["restart", "Restart the runner of the active deployment (alias of `deployment restart`)", () => load(import("./commands/deployment/restart.ts"))],
  ["status", "Show the deployment, the runner and its health (alias of `deployment status`)", () => load(import("./commands/deployment/status.ts"))],
  ["logs", "Show the runner's log (`-n N` lines, `-f` to follow)", () => load(import("./commands/logs.ts"))],
  ["run", "Run the active deployment in the foreground (used by the service)", () => load(import("./commands/run.ts"))],
  ["deployment", "Start, stop or inspect the deployment", () => load(import("./commands/deployment/index.ts"))],
  ["task", "List the program's tasks or run one now", () => load(import("./commands/task/index.ts"))],
  ["recordings", "List the recordings: `acoupi recordings --since 24h`", () => load(import("./commands/recordings.ts"))],
  ["detections", "List the detections: `acoupi detections --label owl --min-score 0.8`", () => load(import("./commands/detections.ts"))],
  ["summary", "Recordings, hours, disk, detections and gaps per day or hour", () => load(import("./commands/summary.ts"))],
  ["review", "Mark detections correct, false or uncertain: `acoupi review ID --false`, `acoupi review --label X`", () => load(import("./commands/review.ts"))],
  ["export", "Export detections as CSV, Raven tables, Audacity labels, JSON lines or eBird records", () => load(import("./commands/export.ts"))],
  ["analyze", "Run the program's detection stack over WAV files and folders: `acoupi analyze ./card --format raven`", () => load(import("./commands/analyze.ts"))],
  ["spectrogram", "Draw a recording's spectrogram as a PNG, with its detections", () => load(import("./commands/spectrogram.ts"))],
  ["web", "The local web page: `acoupi web url` prints its address", () => load(import("./commands/web/index.ts"))],
  ["outbox", "List the messages waiting to be sent; `acoupi outbox retry` re-queues failed ones", () => load(import("./commands/outbox/index.ts"))],
  ["backup", "Copy the databases and new recordings into a folder: `acoupi backup --out /media/usb/acoupi`", () => load(import("./commands/backup.ts"))],
  ["storage", "Show disk usage, what retention deletes next and how long the space lasts", () => load(import("./commands/storage.ts"))],
  ["devices", "List the capture devices (names for microphone.device_name)", () => load(import("./commands/devices.ts"))],
  ["service", "Install, remove or inspect the systemd service", () => load(import("./commands/service/index.ts"))],
  ["self-update", "Install the latest verified release; roll back if it does not record", () => load(import("./commands/self-update/index.ts"))],
];

export const main: CommandDef = defineCommand({
  meta: {
    name: "acoupi",
    version: VERSION,
    description: "Smart acoustic sensor: record on a schedule, detect, store and report",
  },
  // --verbose is read straight from argv by report.ts, so every subcommand accepts it.
  subCommands: Object.fromEntries(COMMANDS.map(([name, , loader]) => [name, loader])),
});

function rootUsage(): string {
  const width = Math.max(...COMMANDS.map(([name]) => name.length));
  const lines = COMMANDS.map(([name, description]) => `  ${name.padStart(width + 2)}    ${description}`);
  return [
    `Smart acoustic sensor: record on a schedule, detect, store and report (acoupi v${VERSION})`,
    "",
    `USAGE acoupi ${COMMANDS.map(([name]) => name).join("|")} [--verbose]`,
    "",
    "COMMANDS",
    "",
    ...lines,
    "",
    "Use acoupi <command> --help for more information about a command.",
    "",
  ].join("\n");
}

async function resolveFor(argv: string[]): Promise<[CommandDef, CommandDef | undefined]> {
  let current: CommandDef = main as CommandDef;
  let parent: CommandDef | undefined;
  for (const arg of argv) {
    if (arg.startsWith("-")) continue;
    const subs = (await (typeof current.subCommands === "function" ? current.subCommands() : current.subCommands)) ?? {};
    const next = (subs as Record<string, Lazy | CommandDef>)[arg];
    if (!next) break;
    parent = current;
    current = typeof next === "function" ? await next() : next;
  }
  return [current, parent];
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
      process.stdout.write(`acoupi ${VERSION} (${COMMIT})\n`);
      return 0;
    }
    if (argv.length === 1 && argv[0] === "--schema-versions") {
      // For `self-update` of an older binary: which database schemas this one knows (not in --help).
      const { schemaVersionsJson } = await import("../update/schema-versions.ts");
      process.stdout.write(`${schemaVersionsJson()}\n`);
      return 0;
    }
    if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
      if (!argv.some((a) => COMMANDS.some(([name]) => name === a))) {
        process.stdout.write(rootUsage());
        return 0;
      }
      const [cmd, parent] = await resolveFor(argv);
      await showUsage(cmd, parent);
      return 0;
    }
    await runCommand(main, { rawArgs: argv });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("E_")) {
      const [cmd, parent] = await resolveFor(argv);
      await showUsage(cmd, parent);
      process.stderr.write(`Error: ${(error as Error).message}\n`);
      return 1;
    }
    return reportError(error);
  }
}

if (import.meta.main) {
  // Every command, the runner included, resolves only once its work is done.
  process.exit(await runCli(process.argv.slice(2)));
}
