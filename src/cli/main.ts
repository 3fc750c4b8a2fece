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

const start: Lazy = () => load(import("./commands/deployment/start.ts"));
const stop: Lazy = () => load(import("./commands/deployment/stop.ts"));
const status: Lazy = () => load(import("./commands/deployment/status.ts"));

export const main: CommandDef = defineCommand({
  meta: {
    name: "acoupi",
    version: VERSION,
    description: "Smart acoustic sensor: record on a schedule, detect, store and report",
  },
  // --verbose is read straight from argv by report.ts, so every subcommand accepts it.
  subCommands: {
    setup: () => load(import("./commands/setup.ts")),
    config: () => load(import("./commands/config/index.ts")),
    check: () => load(import("./commands/check.ts")),
    start,
    stop,
    status,
    run: () => load(import("./commands/run.ts")),
    deployment: () => load(import("./commands/deployment/index.ts")),
    task: () => load(import("./commands/task/index.ts")),
  },
});

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
    if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
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
