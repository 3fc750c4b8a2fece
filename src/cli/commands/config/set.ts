/**
 * @module `acoupi config set [--field] a.b.c VALUE`: validated against the schema before
 * anything is written; the file is replaced atomically, or left byte-identical on error. Every
 * change it makes is printed (secrets only as changed), including the defaults an optional
 * section takes when one of its keys switches it on. Replacing the whole config needs
 * `--replace`. While a deployment is active, a path the deployment's data lives in (folders,
 * databases) is refused, and so is the microphone while the runner has it open; any other change
 * is said to apply when the runner next starts.
 */
import { defineCommand } from "citty";
import type { z } from "zod";
import { writeProgramConfig } from "../../../config/config-file.ts";
import { keysNeedingCoordinates } from "../../../config/coordinates.ts";
import { diffConfig, formatChanges, type ConfigChange } from "../../../config/diff.ts";
import { setField, splitKey } from "../../../config/fields.ts";
import { fieldAt, unwrap } from "../../../config/walk.ts";
import { ConfigError } from "../../../errors.ts";
import { activeDeployment } from "../../../system/deployment-file.ts";
import { readLivePid } from "../../../system/pidfile.ts";
import { loadConfigured } from "../../../app/load-program.ts";

/** The positional arguments; citty would read a negative number such as `-1` as a short flag. */
function positionals(rawArgs: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i] as string;
    if (arg === "--field") i++;
    else if (!arg.startsWith("-") || /^-\.?\d/.test(arg)) out.push(arg);
  }
  return out;
}

/** What the runner holds open at `key` (or a section above it): a data file or folder, a device, or nothing. */
function isOpened(schema: z.ZodType, key: string): "data" | "device" | null {
  const path = splitKey(key);
  for (let i = path.length; i >= 1; i--) {
    const field = fieldAt(schema, path.slice(0, i));
    const meta = field ? unwrap(field).meta : null;
    if (meta?.opened === true) return meta.path ? "data" : "device";
  }
  return null;
}

/** Optional sections that were unset and that this change switches on. */
function switchedOn(schema: z.ZodType, before: unknown, key: string): Array<{ section: string; description: string | undefined }> {
  const path = splitKey(key);
  const out: Array<{ section: string; description: string | undefined }> = [];
  let current: unknown = before;
  for (let i = 0; i < path.length - 1; i++) {
    const part = path[i] as string;
    const next = current !== null && typeof current === "object" ? (current as Record<string, unknown>)[part] : undefined;
    const field = fieldAt(schema, path.slice(0, i + 1));
    if ((next === null || next === undefined) && field) {
      const u = unwrap(field);
      if (u.nullable || u.optional) out.push({ section: path.slice(0, i + 1).join("."), description: u.meta.description });
    }
    current = next;
  }
  return out;
}

export default defineCommand({
  meta: { name: "set", description: "Change one field: `acoupi config set recording.duration 5`" },
  args: {
    first: { type: "positional", required: false, description: "Dotted key, or the value when --field is given" },
    second: { type: "positional", required: false, description: "The value" },
    field: { type: "string", description: "Dotted key (acoupi's form: --field a.b VALUE); empty (with --replace) replaces the whole config" },
    replace: { type: "string", description: "Replace the whole configuration with this JSON object (prints each change)" },
  },
  async run({ args, rawArgs }) {
    const { paths, definition, config, programName } = await loadConfigured();
    const schema = definition.configSchema;
    const [first, second] = positionals(rawArgs.filter((arg, i) => arg !== "--replace" && rawArgs[i - 1] !== "--replace"));
    const whole = args.replace !== undefined;
    const key = whole ? "" : (args.field ?? (second === undefined ? "" : first));
    const raw = whole ? args.replace : args.field !== undefined || second === undefined ? first : second;
    if (raw === undefined || key === undefined) {
      throw new ConfigError("Missing value: use `acoupi config set <key> <value>`", { help: "Run `acoupi config show` to list the keys" });
    }
    if (key === "" && !whole) {
      throw new ConfigError("Replacing the whole configuration needs --replace", {
        help: "Run `acoupi config set --replace '<json>'` (it prints each change), or set one key with `acoupi config set <key> <value>`",
      });
    }
    const updated = setField(schema, config, key, raw);
    const changes: ConfigChange[] = diffConfig(config, updated);
    const deployment = activeDeployment(paths);
    if (deployment) {
      const needing = keysNeedingCoordinates(schema, updated).filter((k) => changes.some((c) => c.key === k));
      if (needing.length > 0 && (deployment.latitude === null || deployment.longitude === null)) {
        throw new ConfigError(`${needing.join(" and ")} ${needing.length > 1 ? "need" : "needs"} the deployment's coordinates, and the deployment "${deployment.name}" has none: every recording would be discarded`, {
          key: needing[0],
          help: "Run `acoupi stop`, change the setting, then `acoupi start --latitude <deg> --longitude <deg>`",
        });
      }
      // Files and folders hold the deployment's data until it ends; a device only while the runner has it open.
      const runnerLive = readLivePid(paths.pidFile) !== null;
      const held = changes.map((c) => c.key).filter((k) => isOpened(schema, k) === "data" || (isOpened(schema, k) === "device" && runnerLive));
      if (held.length > 0) {
        throw new ConfigError(`Cannot change ${held.join(", ")} while the deployment "${deployment.name}" is active: the runner uses ${held.length > 1 ? "them" : "it"} until the deployment ends`, {
          key: held[0],
          help: "Run `acoupi stop`, change the setting, then `acoupi start`",
        });
      }
    }
    writeProgramConfig(paths, programName, updated, schema);
    for (const on of key ? switchedOn(schema, config, key) : []) {
      process.stdout.write(`${on.section} was not set: this switches it on${on.description ? ` (${on.description})` : ""}, with the defaults below for its other keys\n`);
    }
    if (changes.length === 0) process.stdout.write(key ? `${key} already had this value\n` : "The configuration is unchanged\n");
    else process.stdout.write(`${key ? `Set ${key}` : "Replaced the whole configuration"}; changed:\n${formatChanges(schema, changes).join("\n")}\n`);
    if (deployment && changes.length > 0) {
      const pid = readLivePid(paths.pidFile);
      process.stdout.write(`The deployment "${deployment.name}" is active${pid !== null ? ` (runner pid ${pid})` : ""}: the change applies when the runner next starts: run \`acoupi restart\`\n`);
    }
  },
});
