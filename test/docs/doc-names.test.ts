/**
 * The names in the docs are real: every `acoupi …` command line of README.md and docs/*.md (fenced
 * blocks, synopses and inline spans alike) names commands that exist and flags that its command
 * accepts, and every dotted `--key` anywhere in a code span is a config key of a built-in program.
 * test/e2e/build/docs-commands.test.ts runs the runnable lines against the compiled binary; this file
 * checks the rest, such as `acoupi service install [--user | --system]`, in under a second. The
 * marker convention is in test/helpers/doc-commands.ts and docs/README.md.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_KEY_COMMANDS, checkFlags, resolveCommand } from "../../src/cli/argv-check.ts";
import { programs } from "../../src/app/load-program.ts";
import { main } from "../../src/cli/main.ts";
import { listFields } from "../../src/config/walk.ts";
import { REPO } from "../helpers/cli.ts";
import { commandWords, docLines, docPages, flagNames, type DocLine } from "../helpers/doc-commands.ts";

/** A config key without its list indices (`model.labels.0` is an item of `model.labels`). */
const keyOf = (flag: string) => flag.replace(/\.\d+(?=\.|$)/g, "");

async function configKeys(): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const name of programs.names()) for (const field of listFields((await programs.load(name)).configSchema)) keys.add(field.path);
  return keys;
}

/** What is wrong with the names of one doc line, or null. */
async function nameProblem(line: DocLine, keys: Set<string>): Promise<string | null> {
  const where = `${line.file}:${line.line}: \`${line.text}\``;
  const command = line.acoupi;
  if (command === null) {
    const unknown = flagNames(line.text).filter((f) => f.includes(".") && !keys.has(keyOf(f)));
    return unknown.length > 0 ? `${where}: --${unknown.join(", --")} is no config key of any program` : null;
  }
  // Placeholders and values are not flags: keep the words and the `--name` flags only.
  const argv = [...commandWords(command), ...flagNames(command).map((f) => `--${f}=x`)];
  try {
    const resolved = await resolveCommand(main, argv);
    if (resolved.path.length !== commandWords(command).length && resolved.command.run === undefined) return `${where}: no such command`;
    checkFlags(resolved, argv);
    if (resolved.path.length === 1 && CONFIG_KEY_COMMANDS.has(resolved.path[0] as string)) {
      const known = new Set(Object.keys((resolved.args as Record<string, unknown>) ?? {}));
      const unknown = flagNames(command).filter((f) => !known.has(f) && !known.has(f.replace(/^no-/, "")) && !keys.has(keyOf(f)) && f !== "verbose");
      if (unknown.length > 0) return `${where}: --${unknown.join(", --")} is neither an option nor a config key`;
    }
    return null;
  } catch (error) {
    return `${where}: ${(error as Error).message}`;
  }
}

async function problemsIn(files: readonly string[], repo: string): Promise<string[]> {
  const keys = await configKeys();
  const out: string[] = [];
  for (const file of files) for (const line of docLines(file, repo)) {
    const problem = await nameProblem(line, keys);
    if (problem) out.push(problem);
  }
  return out;
}

describe("the names in the docs", () => {
  test("every acoupi command line and dotted flag in README.md and docs/*.md names a real command, option or config key", async () => {
    const pages = docPages(REPO);
    expect(pages.length).toBeGreaterThanOrEqual(5);
    expect(await problemsIn(pages, REPO)).toEqual([]);
  });

  test("a page with fleet.md's old `--mqtt.password`, a mistyped option and an unknown command is caught, line by line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "acoupi-docnames-"));
    try {
      const page = join(dir, "drift.md");
      writeFileSync(page, [
        "Override single keys: `--recording.duration 5`, `--mqtt.password \"$MQTT_PASSWORD\"`.",
        "```sh",
        "acoupi recordings --sinse 24h",
        "acoupi stauts",
        "acoupi service install [--user | --system]",
        "```",
      ].join("\n"));
      const problems = await problemsIn([page], dir);
      expect(problems).toHaveLength(3);
      expect(problems[0]).toContain("drift.md:1");
      expect(problems[0]).toContain("--mqtt.password is no config key");
      expect(problems[1]).toContain("drift.md:3");
      expect(problems[1]).toContain("did you mean --since?");
      expect(problems[2]).toContain('Unknown command "stauts"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("markers skip a block or the lines starting with a command, each with its reason; placeholders make a synopsis", () => {
    const dir = mkdtempSync(join(tmpdir(), "acoupi-docmarkers-"));
    try {
      const page = join(dir, "markers.md");
      writeFileSync(page, [
        "<!-- docs-test: skip `acoupi logs -f` — it follows the log until Ctrl-C -->",
        "<!-- docs-test: skip — needs systemd -->",
        "```sh",
        "acoupi service install",
        "```",
        "",
        "```bash",
        "acoupi logs -f   # follow",
        "ACOUPI_LATITUDE=51.5 acoupi start \\",
        "  --name site-1",
        "acoupi export --format csv|raven",
        "```",
      ].join("\n"));
      const lines = docLines(page, dir);
      expect(lines.map((l) => [l.line, l.acoupi, l.skip])).toEqual([
        [4, "acoupi service install", "needs systemd"],
        [8, "acoupi logs -f", "it follows the log until Ctrl-C"],
        [9, "acoupi start --name site-1", null],
        [11, "acoupi export --format csv|raven", "a synopsis with placeholders"],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
