/**
 * @module The `acoupi …` command lines of the docs (README.md and docs/*.md), found generically so
 * that a new doc page is covered the day it is added. A fenced shell block (```sh, ```bash,
 * ```shell, ```console or no language) is a script: its lines run in order. An inline code span
 * that starts with `acoupi ` is a reference in prose, checked for its command and flag names.
 *
 * The marker convention (also in docs/README.md):
 * - `<!-- docs-test: skip — REASON -->` on the line before a fenced block: no line of that block is
 *   run (it needs systemd, hardware, the network or root), and the reason says which;
 * - `<!-- docs-test: skip \`acoupi logs -f\` — REASON -->` anywhere in a page: the command lines of
 *   that page that start with that text are not run;
 * - a command line with a placeholder (`<id>`, `[--user | --system]`, `csv|raven`, `…`) is a
 *   synopsis: its command and flag names are checked, and it is not run.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export interface DocLine {
  file: string;
  /** 1-based line number of the line's start. */
  line: number;
  /** The whole logical line as written (continuations joined), without a trailing comment. */
  text: string;
  /** The `acoupi …` part of it, or null for another shell line. */
  acoupi: string | null;
  /** Where it came from: a fenced block (runs) or an inline code span (names are checked). */
  origin: "block" | "inline";
  /** Why it is not run, when a marker or a placeholder says so. */
  skip: string | null;
}

const SHELL_LANGS = new Set(["", "sh", "bash", "shell", "console"]);
const MARKER = /<!--\s*docs-test:\s*skip\s*(?:`([^`]+)`)?\s*[—:–-]?\s*(.*?)\s*-->/;
/** Placeholder syntax: `<x>`, `[opt]`, `a|b` inside a word, an ellipsis. */
const PLACEHOLDER = /<[^>\s]+[^>]*>|\[[^\]]*\]|\S\|\S|…|\.\.\./;

/** The Markdown pages whose commands are tested: README.md and every docs/*.md. */
export function docPages(repo: string): string[] {
  const docs = readdirSync(join(repo, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => join(repo, "docs", name));
  return [join(repo, "README.md"), ...docs];
}

/** Drops an unquoted `#` comment (a `#` after whitespace, outside quotes). */
export function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1] as string))) return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/** The `acoupi …` command in a shell line: after leading VAR=value assignments, or after `ssh HOST`. */
export function acoupiPart(line: string): string | null {
  const text = line.replace(/^\$\s+/, "").trim();
  const afterEnv = text.replace(/^(?:[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|\S*)\s+)*/, "");
  // A pipe inside brackets is a synopsis's alternative (`[--user | --system]`), not a pipe.
  if (/^acoupi(\s|$)/.test(afterEnv)) return afterEnv.split(/\s(?:&&|\|\||;|\|(?![^[]*\]))\s/)[0]?.trim() ?? null;
  const ssh = /^ssh\s+\S+\s+(acoupi(?:\s.*)?)$/.exec(afterEnv);
  return ssh ? (ssh[1] as string).trim() : null;
}

export function isSynopsis(command: string): boolean {
  return PLACEHOLDER.test(command.replace(/"[^"]*"|'[^']*'/g, '""'));
}

/** Every shell line of fenced blocks and every inline `acoupi …` span of one page, with its skip reason. */
export function docLines(file: string, repo: string): DocLine[] {
  const name = relative(repo, file);
  const lines = readFileSync(file, "utf8").split("\n");
  const skipPrefixes: Array<{ prefix: string; reason: string }> = [];
  for (const l of lines) {
    const m = MARKER.exec(l);
    if (m?.[1]) skipPrefixes.push({ prefix: m[1], reason: m[2] || "no reason given" });
  }
  const out: DocLine[] = [];
  let fence: { marker: string; shell: boolean; skip: string | null } | null = null;
  let pending: { text: string; line: number } | null = null;
  let lastNonBlank = "";
  const push = (text: string, line: number, origin: DocLine["origin"], blockSkip: string | null) => {
    const clean = stripComment(text);
    const acoupi = acoupiPart(clean);
    // Inline spans: commands, and flag fragments such as `--recording.duration 5` (their key is checked).
    if (origin === "inline" && acoupi === null && !clean.startsWith("--")) return;
    let skip = blockSkip;
    const byPrefix = acoupi ? skipPrefixes.find((s) => acoupi.startsWith(s.prefix)) : undefined;
    if (skip === null && byPrefix) skip = byPrefix.reason;
    if (skip === null && acoupi && isSynopsis(acoupi)) skip = "a synopsis with placeholders";
    out.push({ file: name, line, text: clean, acoupi, origin, skip });
  };
  lines.forEach((raw, index) => {
    const fenceMatch = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(raw);
    if (fence) {
      if (fenceMatch && fenceMatch[1]?.startsWith(fence.marker)) {
        fence = null;
        lastNonBlank = raw;
        return;
      }
      if (!fence.shell) return;
      const joined = pending ? `${pending.text} ${raw.trim()}` : raw;
      const start = pending ? pending.line : index + 1;
      if (/\\\s*$/.test(raw)) {
        pending = { text: joined.replace(/\\\s*$/, "").trimEnd(), line: start };
        return;
      }
      pending = null;
      if (joined.trim() !== "") push(joined.trim(), start, "block", fence.skip);
      return;
    }
    if (fenceMatch) {
      const marker = MARKER.exec(lastNonBlank);
      const blockSkip = marker && !marker[1] ? marker[2] || "no reason given" : null;
      fence = { marker: fenceMatch[1] as string, shell: SHELL_LANGS.has((fenceMatch[2] ?? "").toLowerCase()), skip: blockSkip };
      return;
    }
    if (raw.trim() !== "") lastNonBlank = raw;
    if (MARKER.test(raw)) return;
    for (const span of raw.matchAll(/`([^`]+)`/g)) push(span[1] as string, index + 1, "inline", null);
  });
  return out;
}

/** The `--name` flags of a command line (without values), e.g. ["since", "messaging.mqtt.host"]. */
export function flagNames(command: string): string[] {
  return [...command.matchAll(/(?:^|\s)--([A-Za-z][\w.-]*)/g)].map((m) => m[1] as string);
}

/** The leading words of a command line that are not flags, values or placeholders: the command path. */
export function commandWords(command: string): string[] {
  const words = command.split(/\s+/).slice(1);
  const out: string[] = [];
  for (const word of words) {
    if (!/^[a-z][a-z0-9-]*$/.test(word)) break;
    out.push(word);
  }
  return out;
}
