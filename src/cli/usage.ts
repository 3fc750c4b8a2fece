/**
 * @module The help text of a command, made for people and for pipes: citty renders it, then
 * colour codes are dropped unless standard output is a terminal and NO_COLOR is unset (citty
 * itself only honours NO_COLOR=1, and colours pipes), the usage line names the whole command
 * (`acoupi config set`, not `config set`), an empty "(Default: )" is dropped, trailing padding is
 * trimmed and long lines wrap under their description column to fit 100 columns.
 */
import { renderUsage, type CommandDef } from "citty";

export const HELP_WIDTH = 100;

// biome-ignore lint: the escape character is the point of this pattern
const ANSI = /\u001B\[[0-9;]*m/g;

/** Colour on a terminal only, and never when NO_COLOR is set to anything (no-color.org). */
export function useColour(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? "") === "" && env.TERM !== "dumb";
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/** Wraps one line at `width`, continuing under the column where its description starts. */
function wrapLine(line: string, width: number): string[] {
  if (stripAnsi(line).length <= width) return [line];
  const plain = stripAnsi(line);
  const column = /^(\s*\S+(?:, \S+)*\s{2,})/.exec(plain)?.[1]?.length ?? 2;
  const indent = " ".repeat(column < width / 2 ? column : 4);
  const out: string[] = [];
  let current = "";
  for (const word of plain.split(/(?<=\S) (?=\S)/)) {
    if (current !== "" && current.length + 1 + word.length > width) {
      out.push(current);
      current = indent + word.trimStart();
    } else current = current === "" ? word : `${current} ${word}`;
  }
  if (current !== "") out.push(current);
  return out;
}

/** Cleans citty's rendered usage. */
export function cleanUsage(text: string, colour: boolean, width = HELP_WIDTH): string {
  let out = text.replace(/ ?\u001B\[90m\(Default: \)\u001B\[39m| ?\(Default: \)/g, "");
  if (!colour) out = stripAnsi(out);
  const lines = out.split("\n").map((l) => l.trimEnd());
  return `${(colour ? lines : lines.flatMap((l) => wrapLine(l, width))).join("\n")}\n`;
}

/**
 * Prints the help of `command`, reached by `path` from the root. citty names a command by its
 * parent's name and its own ("config set"), so the parent it gets is named by the whole path
 * above it ("acoupi config").
 */
export async function printUsage(command: CommandDef, path: readonly string[], version: string): Promise<void> {
  const parent: CommandDef = { meta: { name: ["acoupi", ...path.slice(0, -1)].join(" "), version } };
  const text = await renderUsage(command, path.length === 0 ? undefined : parent);
  process.stdout.write(cleanUsage(text, useColour()));
}
