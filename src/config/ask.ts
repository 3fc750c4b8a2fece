/**
 * @module Line-based questions on the terminal (node:readline): a text answer with a default
 * taken on Enter, yes/no, a numbered choice, and a secret read with the terminal's echo off.
 * Plain lines work on any terminal, over SSH to a Pi, and when answers are piped in; no raw
 * keyboard mode is needed.
 */
import { createInterface, type Interface } from "node:readline/promises";
import type { ReadStream } from "node:tty";
import { ConfigError } from "../errors.ts";

/** Thrown when the input ends or the user presses Ctrl-C before every question was answered. */
export class SetupCancelled extends ConfigError {
  constructor(reason: string) {
    super(`Setup was cancelled: ${reason}`, { help: "Run `acoupi setup --no-prompt` with --key value arguments instead" });
  }
}

/**
 * Switches the terminal's echo on standard input. Raw mode would also stop Ctrl-C and line
 * editing, and readline then swallows the Enter that follows a raw-mode line.
 */
export function setEcho(on: boolean): void {
  const result = Bun.spawnSync(["stty", on ? "echo" : "-echo"], { stdin: "inherit", stdout: "ignore", stderr: "pipe" });
  if (result.exitCode !== 0) throw new ConfigError(`Cannot switch the terminal echo ${on ? "on" : "off"}: ${result.stderr.toString().trim()}`, { help: "Give the secret as an argument with --no-prompt instead" });
}

export class Asker {
  #rl: Interface;
  #input: NodeJS.ReadableStream;
  #lines: string[] = [];
  #waiting: Array<(line: string | null) => void> = [];
  #closed = false;
  #output: NodeJS.WritableStream;

  constructor(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout) {
    this.#input = input;
    this.#output = output;
    this.#rl = createInterface({ input, output, terminal: false });
    this.#rl.on("line", (line) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(line);
      else this.#lines.push(line);
    });
    this.#rl.on("close", () => {
      this.#closed = true;
      for (const waiter of this.#waiting.splice(0)) waiter(null);
    });
  }

  /** True when questions are typed on a terminal (not piped). */
  get interactive(): boolean {
    return (this.#input as Partial<ReadStream>).isTTY === true;
  }

  async #line(question: string): Promise<string> {
    this.#output.write(question);
    const buffered = this.#lines.shift();
    if (buffered !== undefined) return buffered;
    const line = this.#closed ? null : await new Promise<string | null>((resolve) => this.#waiting.push(resolve));
    if (line === null) throw new SetupCancelled("the input closed before every question was answered");
    return line;
  }

  async text(label: string, current: string): Promise<string> {
    const answer = (await this.#line(`${label}${current === "" ? "" : ` [${current}]`}: `)).trim();
    return answer === "" ? current : answer;
  }

  /**
   * A secret: on a terminal the echo is switched off while it is typed (`stty -echo`, which
   * keeps line editing and Ctrl-C as they are). Returns "" when Enter alone is pressed, so the
   * caller keeps the current value.
   */
  async secret(label: string, hasCurrent: boolean): Promise<string> {
    const question = `${label}${hasCurrent ? " [Enter keeps the current one]" : ""} (not shown as you type): `;
    if (!this.interactive) return (await this.#line(question)).trim();
    setEcho(false);
    try {
      return (await this.#line(question)).trim();
    } finally {
      setEcho(true);
      this.#output.write("\n");
    }
  }

  async confirm(label: string, current: boolean): Promise<boolean> {
    for (;;) {
      const answer = (await this.#line(`${label} ${current ? "[Y/n]" : "[y/N]"}: `)).trim().toLowerCase();
      if (answer === "") return current;
      if (["y", "yes"].includes(answer)) return true;
      if (["n", "no"].includes(answer)) return false;
      this.#output.write("Please answer y or n\n");
    }
  }

  async select(label: string, choices: readonly string[], current: string): Promise<string> {
    this.#output.write(`${label}\n${choices.map((c, i) => `  ${i + 1}) ${c}`).join("\n")}\n`);
    for (;;) {
      const answer = (await this.#line(`Choose 1-${choices.length} or a value [${current}]: `)).trim();
      if (answer === "") return current;
      const index = Number(answer);
      if (Number.isInteger(index) && index >= 1 && index <= choices.length) return choices[index - 1] as string;
      const named = choices.find((c) => c.toLowerCase() === answer.toLowerCase());
      if (named !== undefined) return named;
      this.#output.write(`Please choose one of: ${choices.join(", ")}\n`);
    }
  }

  say(line: string): void {
    this.#output.write(`${line}\n`);
  }

  close(): void {
    this.#rl.close();
  }
}
