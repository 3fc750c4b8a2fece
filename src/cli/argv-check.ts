/**
 * @module Reads a command line against the command tree before anything runs: an unknown command
 * or option is refused with the nearest few names (`--sinse` → "did you mean --since?") instead of
 * being ignored, which once returned unfiltered results. Commands that take config keys as flags
 * (`setup --recording.duration 5`) leave those to their own parser, which checks them against the
 * program's schema.
 */
import type { ArgDef, ArgsDef, CommandDef } from "citty";
import { UsageError } from "../errors.ts";
import { didYouMean } from "../system/suggest.ts";

/** Commands whose extra `--key value` flags are program config keys (checked by the command). */
export const CONFIG_KEY_COMMANDS: ReadonlySet<string> = new Set(["setup", "analyze"]);

/** Flags every command accepts: report.ts reads --verbose, main.ts handles --help. */
const GLOBAL_FLAGS = ["help", "h", "verbose"];

type Resolvable<T> = T | Promise<T> | (() => T) | (() => Promise<T>);

async function resolve<T>(value: Resolvable<T> | undefined): Promise<T | undefined> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

async function subCommandsOf(cmd: CommandDef): Promise<Record<string, Resolvable<CommandDef>>> {
  return ((await resolve(cmd.subCommands)) ?? {}) as Record<string, Resolvable<CommandDef>>;
}

export interface ResolvedCommand {
  /** The command words, e.g. ["config", "set"]. */
  path: string[];
  command: CommandDef;
  parent: CommandDef | undefined;
  args: ArgsDef;
}

function aliases(def: ArgDef): string[] {
  const alias = (def as { alias?: string | string[] }).alias;
  return alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
}

/** Whether the flag `--name` (or `-n`) takes the next word as its value. */
function takesValue(args: ArgsDef, name: string): boolean {
  for (const [key, def] of Object.entries(args)) {
    if (key === name || aliases(def).includes(name)) return def.type === "string" || def.type === "enum";
  }
  return false;
}

/** Walks the command words of `argv`, refusing an unknown command where only subcommands can follow. */
export async function resolveCommand(root: CommandDef, argv: readonly string[]): Promise<ResolvedCommand> {
  let command = root;
  let parent: CommandDef | undefined;
  const path: string[] = [];
  let args = ((await resolve(command.args)) ?? {}) as ArgsDef;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") break;
    if (arg.startsWith("-")) {
      if (!arg.includes("=") && takesValue(args, arg.replace(/^--?/, ""))) i++;
      continue;
    }
    const subs = await subCommandsOf(command);
    const names = Object.keys(subs);
    const next = subs[arg];
    if (next === undefined) {
      if (names.length > 0 && command.run === undefined) {
        const where = ["acoupi", ...path].join(" ");
        const hint = didYouMean(arg, names);
        throw new UsageError(`Unknown command "${arg}" for \`${where}\`${hint ? `: ${hint}` : ""}`, {
          help: `Run \`${where} --help\` to list its commands`,
        });
      }
      break;
    }
    parent = command;
    command = (await resolve(next)) as CommandDef;
    path.push(arg);
    args = ((await resolve(command.args)) ?? {}) as ArgsDef;
  }
  return { path, command, parent, args };
}

/** The flag names a command accepts (without dashes), its aliases and `no-` forms included. */
export function knownFlags(args: ArgsDef): string[] {
  const out = [...GLOBAL_FLAGS];
  for (const [key, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    out.push(key, ...aliases(def));
    if (def.type === "boolean") out.push(`no-${key}`);
  }
  return out;
}

/** Refuses the first option of `argv` that the resolved command does not accept. */
export function checkFlags(resolved: ResolvedCommand, argv: readonly string[]): void {
  const known = [...knownFlags(resolved.args), ...(resolved.path.length === 0 ? ["version", "v"] : [])];
  const takesConfigKeys = resolved.path.length === 1 && CONFIG_KEY_COMMANDS.has(resolved.path[0] as string);
  const where = ["acoupi", ...resolved.path].join(" ");
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") break;
    // A negative number is a value (`config set recording.gain -3`), not a short flag.
    if (!arg.startsWith("-") || /^-\.?\d/.test(arg)) continue;
    const name = arg.replace(/^--?/, "").split("=")[0] as string;
    if (known.includes(name)) {
      if (!arg.includes("=") && takesValue(resolved.args, name)) i++;
      continue;
    }
    if (takesConfigKeys) continue;
    const dashes = (n: string) => (n.length === 1 ? `-${n}` : `--${n}`);
    const hint = didYouMean(name, known.filter((k) => k !== "h"), dashes);
    throw new UsageError(`Unknown option ${dashes(name)} for \`${where}\`${hint ? `: ${hint}` : ""}`, {
      help: `Run \`${where} --help\` to list its options`,
    });
  }
}
