/**
 * @module Writes assets/bytecode-order.txt, which build.ts passes to `bun build --bytecode-order`:
 * the functions a default runner runs, in the order it first runs them, so that the compiled
 * binary lays their bytecode out together. The runner's working set of the binary's embedded
 * bytecode then spans fewer pages (2.5 instead of 3.3 MiB resident, issue 26, bench/FIGURES.md).
 * It builds the x64 binary, starts the `default` program on the fake microphone (3 s every 10 s)
 * with BUN_BYTECODE_ORDER_OUT set, lets it record for 45 s (past the start-up page release) and
 * stops it; the runner writes the file as it exits. A stale file costs only locality: functions
 * it does not name are laid out after those it does. Rerun it after large changes to the runner:
 *
 *   ./node_modules/.bin/bun scripts/bytecode-order.ts
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchHome } from "../bench/deployment.ts";
import { ALWAYS } from "../bench/model-memory.ts";
import { buildBinary } from "../test/helpers/binaries.ts";
import { REPO } from "../test/helpers/cli.ts";
import { testSignal } from "../test/helpers/fake-mic.ts";

export const ORDER_FILE = join(REPO, "assets/bytecode-order.txt");

async function main(): Promise<void> {
  const binary = buildBinary("x64");
  const home = await benchHome(binary, testSignal(48000 * 4));
  const out = join(home.home.home, "bytecode-order.txt");
  try {
    home.run(["setup", "--program", "default", "--no-prompt", "--microphone.device_name", home.mic.device, "--microphone.samplerate", "48000",
      "--recording.duration", "3", "--recording.interval", "10", ...ALWAYS]);
    // `start` writes the file as it exits too; the runner, whose order counts, exits last and overwrites it.
    home.env.BUN_BYTECODE_ORDER_OUT = out;
    home.run(["start", "--name", "bytecode-order", "--no-check"]);
    await Bun.sleep(45_000);
    delete home.env.BUN_BYTECODE_ORDER_OUT;
    home.run(["stop"]);
    for (let waited = 0; waited < 10_000 && !existsSync(out); waited += 100) await Bun.sleep(100);
    const text = readFileSync(out, "utf8");
    if (!text.startsWith("v2\n")) throw new Error(`unexpected order file format: ${JSON.stringify(text.slice(0, 20))}`);
    writeFileSync(ORDER_FILE, text);
    console.log(`${ORDER_FILE}: ${text.split("\n").length - 2} functions`);
  } finally {
    rmSync(out, { force: true });
    await home.cleanup();
  }
}

if (import.meta.main) await main();
