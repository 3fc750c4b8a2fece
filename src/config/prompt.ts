/**
 * @module Interactive setup: asks for each promptable field of a program schema, showing its
 * `.describe()` text and its current value (default, argument or earlier answer) as the answer
 * to accept with Enter. Each answer is checked against the field's own schema when it is given
 * and asked again with the reason; once every field is answered, the whole config is validated
 * and only the keys still at fault are asked again. Optional sections (such as `messaging.mqtt`)
 * are offered with a yes/no question first; fields marked `noPrompt` (or inside such a section)
 * are never asked; fields marked `askWhen` only when their sibling is set; secrets are not echoed.
 */
import { resolve } from "node:path";
import type { z } from "zod";
import { ConfigError } from "../errors.ts";
import type { AnswerVerdict } from "./answer-checks.ts";
import { Asker } from "./ask.ts";
import { deepMerge } from "./args.ts";
import { coerceValue } from "./coerce.ts";
import { valueAt } from "./value-at.ts";
import { relationIssueFor, relationIssues } from "./relations.ts";
import { unknownKeyHelp } from "./key-help.ts";
import { describeIssue } from "./validate.ts";
import { enumValues, fieldAt, kindOf, listFields, objectShape, unwrap, type FieldInfo } from "./walk.ts";

export interface PromptOptions {
  asker?: Asker;
  /** Keys answered in an interrupted setup: kept, and not asked again. */
  answered?: readonly string[];
  /** Called after each answer with the config so far and the keys answered, to keep a draft. */
  onAnswer?: (draft: Record<string, unknown>, answered: string[]) => void;
  /** Checks an answer that passed the schema against the world (devices, files, brokers). */
  checkAnswer?: (key: string, value: unknown, valueAt: (key: string) => unknown) => Promise<AnswerVerdict | null>;
  /** Leave the asker open for questions of the caller's own after the schema's. */
  keepOpen?: boolean;
}

function defaultOf(schema: z.ZodType): unknown {
  const result = schema.safeParse(undefined);
  return result.success ? result.data : undefined;
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): Record<string, unknown> {
  const overlay: Record<string, unknown> = {};
  let current = overlay;
  path.forEach((part, i) => {
    if (i === path.length - 1) current[part] = value;
    else current = (current[part] = {}) as Record<string, unknown>;
  });
  // deepMerge would merge an object answer into the old one; an answer replaces the value.
  const merged = deepMerge(target, overlay) as Record<string, unknown>;
  const parent = valueAt(merged, path.slice(0, -1));
  if (parent && typeof parent === "object") (parent as Record<string, unknown>)[path[path.length - 1] as string] = value;
  return merged;
}

function shown(value: unknown): string {
  if (value === undefined || value === null) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Whether a value switches on the fields that depend on it (`askWhen`). */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== "";
}

class Prompter {
  #schema: z.ZodType;
  #asker: Asker;
  #options: PromptOptions;
  #answered: Set<string>;
  value: Record<string, unknown>;

  constructor(schema: z.ZodType, initial: Record<string, unknown>, asker: Asker, options: PromptOptions) {
    this.#schema = schema;
    this.#asker = asker;
    this.#options = options;
    this.#answered = new Set(options.answered ?? []);
    this.value = initial;
  }

  #current(field: FieldInfo): unknown {
    return valueAt(this.value, field.path.split(".")) ?? defaultOf(field.schema);
  }

  /** The value at `path` so far, or its default. */
  #valueAt(path: string[]): unknown {
    const schema = fieldAt(this.#schema, path);
    return valueAt(this.value, path) ?? (schema ? defaultOf(schema) : undefined);
  }

  #record(path: string, value: unknown): void {
    this.value = setAt(this.value, path.split("."), value);
    this.#answered.add(path);
    this.#options.onAnswer?.(this.value, [...this.#answered]);
  }

  /** Asks until the answer passes the field's own schema. */
  async ask(field: FieldInfo, reason?: string): Promise<void> {
    const label = field.meta.description ? `${field.meta.description}\n  ${field.path}` : field.path;
    if (reason) this.#asker.say(reason);
    for (;;) {
      const answer = await this.#answer(field, label);
      const checked = field.schema.safeParse(answer);
      const related = checked.success ? relationIssueFor(field, checked.data, (path) => this.#valueAt(path)) : null;
      if (related) {
        this.#asker.say(`${related}; please answer again`);
        continue;
      }
      if (checked.success) {
        const verdict = await this.#options.checkAnswer?.(field.path, answer, (key) => this.#valueAt(key.split(".")));
        if (verdict?.problem) {
          this.#asker.say(`${verdict.problem}\n  Please answer again`);
          continue;
        }
        if (verdict?.note) this.#asker.say(verdict.note);
        this.#record(field.path, answer);
        for (const [key, value] of Object.entries(verdict?.set ?? {})) this.#record(key, value);
        return;
      }
      const issue = checked.error.issues[0];
      const why = answer === null || answer === "" ? "an answer is required" : issue ? describeIssue({ ...issue, path: [] }).replace(/^\(root\): /, "") : "invalid";
      this.#asker.say(`Invalid value for ${field.path}: ${why}; please answer again`);
    }
  }

  async #answer(field: FieldInfo, label: string): Promise<unknown> {
    const current = this.#current(field);
    if (field.kind === "boolean") return this.#asker.confirm(label, current === true);
    const choices = enumValues(field.schema);
    if (field.kind === "enum" && choices.length > 0) return this.#asker.select(label, choices, String(current ?? choices[0]));
    if (field.meta.secret) {
      const typed = await this.#asker.secret(label, isSet(current));
      if (typed === "") return current ?? null;
      return coerceValue(field.schema, typed, field.path);
    }
    for (;;) {
      const text = await this.#asker.text(label, shown(current));
      // Empty leaves an optional field out, and sets a nullable one to null.
      if (text === "" && field.optional) return unwrap(field.schema).nullable ? null : undefined;
      // A path typed here is relative to the working directory, as in any shell.
      const typed = field.meta.path && text !== "" && !text.startsWith("~") ? resolve(text) : text;
      try {
        return coerceValue(field.schema, typed, field.path);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        this.#asker.say(error.message);
      }
    }
  }

  async walk(): Promise<void> {
    const skipped: string[] = [];
    for (const field of listFields(this.#schema)) {
      if (skipped.some((prefix) => field.path.startsWith(`${prefix}.`))) continue;
      if (field.meta.noPrompt) {
        skipped.push(field.path);
        continue;
      }
      const parts = field.path.split(".");
      if (field.meta.askWhen && !isSet(this.#valueAt([...parts.slice(0, -1), field.meta.askWhen]))) continue;
      const applies = field.meta.appliesWhen;
      if (applies && !applies.is.includes(this.#valueAt([...parts.slice(0, -1), applies.sibling]) as string)) continue;
      if (field.kind === "object") {
        if (field.optional && !isSet(valueAt(this.value, parts))) {
          if (this.#answered.has(field.path)) {
            skipped.push(field.path);
            continue;
          }
          const about = field.meta.description ? `${field.meta.description}\n` : "";
          const wanted = await this.#asker.confirm(`${about}Configure ${field.path}?`, false);
          if (!wanted) {
            skipped.push(field.path);
            this.#record(field.path, null);
          } else {
            this.value = setAt(this.value, parts, {});
          }
        }
        continue;
      }
      if (objectShape(field.schema)) continue;
      if (this.#answered.has(field.path)) continue;
      await this.ask(field);
    }
  }

  /** Validates the whole config; asks again for each promptable key at fault. */
  async settle(): Promise<void> {
    for (let round = 0; round < 20; round++) {
      const result = this.#schema.safeParse(this.value);
      if (result.success) {
        const related = relationIssues(this.#schema, result.data);
        if (related.length === 0) return;
        for (const issue of related) {
          const field = listFields(this.#schema).find((f) => f.path === issue.key);
          if (!field || field.meta.noPrompt) throw new ConfigError(`Invalid configuration: ${issue.message}`, { key: issue.key });
          await this.ask(field, `${issue.message}: please answer ${issue.key} again`);
        }
        continue;
      }
      for (const issue of result.error.issues) {
        const key = issue.path.map(String).join(".");
        const schema = fieldAt(this.#schema, issue.path.map(String));
        if (!schema || key === "" || unwrap(schema).meta.noPrompt || objectShape(schema)) {
          throw new ConfigError(`Invalid configuration: ${describeIssue(issue)}`, {
            key,
            help: `Give the value on the command line: \`acoupi setup --${key || "<key>"} <value>\``,
          });
        }
        const u = unwrap(schema);
        const field: FieldInfo = { path: key, schema, kind: kindOf(schema), meta: u.meta, optional: u.optional || u.nullable, hasDefault: u.hasDefault };
        await this.ask(field, `${describeIssue(issue)}: please answer ${key} again`);
      }
    }
  }
}

/** Walks the schema and asks for every promptable field, starting from `initial`. */
export async function promptConfig(schema: z.ZodType, initial: Record<string, unknown>, asker: Asker | PromptOptions = new Asker()): Promise<Record<string, unknown>> {
  const options = asker instanceof Asker ? { asker } : asker;
  const used = options.asker ?? new Asker();
  try {
    const prompter = new Prompter(schema, initial, used, options);
    await prompter.walk();
    await prompter.settle();
    return prompter.value;
  } finally {
    if (!options.keepOpen) used.close();
  }
}

/** Asks the one field `key` again (`acoupi setup --edit KEY`), with the same checks as setup. */
export async function promptOne(schema: z.ZodType, initial: Record<string, unknown>, key: string, options: PromptOptions = {}): Promise<Record<string, unknown>> {
  const field = listFields(schema).find((f) => f.path === key && f.kind !== "object");
  if (!field) throw new ConfigError(`Field "${key}" is not a setting setup asks for`, { key, help: unknownKeyHelp(schema, key) });
  const used = options.asker ?? new Asker();
  try {
    const prompter = new Prompter(schema, initial, used, { ...options, answered: [] });
    await prompter.ask(field);
    return prompter.value;
  } finally {
    used.close();
  }
}
