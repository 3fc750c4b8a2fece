/**
 * @module The configuration reference (docs/configuration.md), generated from the program
 * schemas so that it cannot drift: each key with its type and bounds, default, unit and effect
 * (the `.describe()` text), and whether setup asks for it. `scripts/config-docs.ts` writes it
 * and a test fails when the file is out of date.
 */
import type { z } from "zod";
import { programJsonSchema } from "./json-schema.ts";
import { listFields, type FieldInfo } from "./walk.ts";

export interface DocumentedProgram {
  name: string;
  description: string;
  schema: z.ZodType;
}

type Json = Record<string, unknown>;

/** The JSON Schema node of a dotted key, through `properties` and nullable `anyOf`s. */
function nodeAt(root: Json, path: readonly string[]): Json | null {
  let node: Json | null = root;
  for (const part of path) {
    if (node === null) return null;
    const options: Json[] = Array.isArray(node.anyOf) ? (node.anyOf as Json[]) : [node];
    const holder: Json | undefined = options.find((o) => o.properties && typeof o.properties === "object" && part in (o.properties as Json));
    node = holder ? ((holder.properties as Json)[part] as Json) : null;
  }
  return node;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function typeOf(node: Json | null, field: FieldInfo): string {
  if (node === null) return field.kind;
  const options = Array.isArray(node.anyOf) ? (node.anyOf as Json[]) : [node];
  const parts = options.map((o) => {
    if (Array.isArray(o.enum)) return (o.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
    if (o.const !== undefined) return JSON.stringify(o.const);
    const types = Array.isArray(o.type) ? (o.type as string[]) : o.type ? [String(o.type)] : [field.kind];
    return types.join(" or ");
  });
  let text = [...new Set(parts)].join(" or ");
  const bounds: string[] = [];
  if (typeof node.minimum === "number") bounds.push(`≥ ${node.minimum}`);
  if (typeof node.exclusiveMinimum === "number") bounds.push(`> ${node.exclusiveMinimum}`);
  if (typeof node.maximum === "number" && node.maximum < MAX_SAFE) bounds.push(`≤ ${node.maximum}`);
  if (typeof node.minLength === "number" && node.minLength > 0) bounds.push("not empty");
  if (field.meta.atLeast) bounds.push(`≥ ${field.meta.atLeast}`);
  if (bounds.length > 0) text += ` (${bounds.join(", ")})`;
  return text;
}

function defaultOf(node: Json | null, field: FieldInfo): string {
  if (field.meta.defaultText) return field.meta.defaultText;
  const parsed = field.schema.safeParse(undefined);
  if (!parsed.success) return node && "default" in node ? JSON.stringify(node.default) : "required";
  return parsed.data === undefined ? "unset" : JSON.stringify(parsed.data);
}

const UNITS: Array<[RegExp, string]> = [
  [/\bbytes\b/i, "bytes"],
  [/\bHz\b/, "Hz"],
  [/\(MB\)|\bMB\b/, "MB"],
  [/\bminutes?\b/i, "minutes"],
  [/\bdays\b/i, "days"],
  [/\bdegrees\b/i, "degrees"],
  [/\bseconds?\b/i, "s"],
];

function unitOf(description: string): string {
  return UNITS.find(([re]) => re.test(description))?.[1] ?? "";
}

/** A description and the notes after it, as sentences. */
function joined(description: string, notes: string): string {
  const trimmed = notes.trim();
  if (trimmed === "") return description;
  if (description === "") return trimmed;
  return `${description}${/[.!?)]$/.test(description) ? "" : "."} ${trimmed}`;
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

function programSection(program: DocumentedProgram): string[] {
  const json = programJsonSchema(program.schema);
  const lines = [`## Program \`${program.name}\``, "", program.description, "", "| Key | Type | Default | Unit | Effect | Asked in setup |", "|---|---|---|---|---|---|"];
  const quiet: string[] = [];
  for (const field of listFields(program.schema)) {
    const inQuiet = quiet.some((prefix) => field.path.startsWith(`${prefix}.`));
    if (field.meta.noPrompt) quiet.push(field.path);
    const node = nodeAt(json, field.path.split("."));
    const description = field.meta.description ?? "";
    if (field.kind === "object") {
      const optional = field.optional ? " Optional section: unset (null) switches it off." : "";
      lines.push(`| \`${field.path}\` | section | ${field.optional ? "unset" : ""} |  | ${cell(joined(description, optional))} | ${field.meta.noPrompt || inQuiet ? "no" : field.optional ? "yes/no first" : "yes"} |`);
      continue;
    }
    const asked = field.meta.noPrompt || inQuiet ? "no" : field.meta.askWhen ? `when \`${field.meta.askWhen}\` is set` : "yes";
    const notes = [field.meta.secret ? "Secret: masked in `config show`, not echoed." : "", field.meta.opened ? "Held open by the runner: change it after `acoupi stop`." : "", field.meta.needsCoordinates ? "Non-zero needs the deployment's coordinates." : ""].filter(Boolean).join(" ");
    lines.push(`| \`${field.path}\` | ${cell(typeOf(node, field))} | ${cell(defaultOf(node, field))} | ${unitOf(description)} | ${cell(joined(description, notes))} | ${asked} |`);
  }
  return [...lines, ""];
}

export function configReference(programs: readonly DocumentedProgram[]): string {
  return [
    "# Configuration reference",
    "",
    "<!-- Generated by `bun scripts/config-docs.ts` from the program schemas; edit the schemas, not this file. -->",
    "",
    "Each program's `$ACOUPI_HOME/config/program.json` holds the keys below (acoupi 0.6's keys, plus ours).",
    "Set one with `acoupi config set <key> <value>`, see what differs from the defaults with `acoupi config diff`,",
    "and get the JSON Schema of the active program with `acoupi config schema`.",
    "",
    ...programs.flatMap(programSection),
  ].join("\n");
}
