/**
 * @module Line-based questions on the terminal (node:readline): a text answer with a default
 * taken on Enter, yes/no, and a numbered choice. Plain lines work on any terminal, over SSH to a
 * Pi, and when answers are piped in; they need no raw keyboard mode.
 */
import { createInterface, type Interface } from "node:readline/promises";
import { ConfigError } from "../errors.ts";

export class Asker {
  #rl: Interface;
  #lines: string[] = [];
  #waiting: Array<(line: string | null) => void> = [];
  #closed = false;
  #output: NodeJS.WritableStream;

  constructor(input: NodeJS.ReadableStream = process.stdin, output: NodeJS.WritableStream = process.stdout) {
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

  async #line(question: string): Promise<string> {
    this.#output.write(question);
    const buffered = this.#lines.shift();
    if (buffered !== undefined) return buffered;
    const line = this.#closed ? null : await new Promise<string | null>((resolve) => this.#waiting.push(resolve));
    if (line === null) throw new ConfigError("Setup was cancelled: the input closed before every question was answered", { help: "Run `acoupi setup --no-prompt` with --key value arguments instead" });
    return line;
  }

  async text(label: string, current: string): Promise<string> {
    const answer = (await this.#line(`${label}${current === "" ? "" : ` [${current}]`}: `)).trim();
    return answer === "" ? current : answer;
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
      if (choices.includes(answer)) return answer;
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
