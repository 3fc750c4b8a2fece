import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { energyModel } from "../../../helpers/onnx-builder.ts";
import { tempDir, wavBytes } from "../../../helpers/model-fixtures.ts";

// ORT-web's thread count is fixed per process by the first model, so each case runs in a child
// process: once from source and once as a binary compiled with build.ts's flags, the way acoupi
// ships (WASM threads there depend on the embedded glue starting its own Workers).
const REPO = resolve(import.meta.dir, "../../../..");
const BUN = process.execPath;
const RATE = 8000;
const dir = tempDir("acoupi-threads-");

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENTRY = `
import { OnnxModel, ModelConfigSchema } from ${JSON.stringify(join(REPO, "src/components/models/onnx-model.ts"))};
import { ortThreads } from ${JSON.stringify(join(REPO, "src/components/models/_ort-runtime.ts"))};
import { createDeployment } from ${JSON.stringify(join(REPO, "src/data/index.ts"))};
const [path, wav, threads] = process.argv.slice(2);
const model = new OnnxModel(ModelConfigSchema.parse({ path, labels: ["loud", "energetic"], samplerate: ${RATE}, window: 1, threads: Number(threads) }), { threshold: 0.1 });
const deployment = createDeployment({ name: "threads" });
const output = await model.run({ id: crypto.randomUUID(), path: wav, duration: 3, samplerate: ${RATE}, audio_channels: 1, time_expansion: 1, deployment, created_on: new Date() });
await model.close();
console.log(JSON.stringify({ threads: ortThreads(), scores: output.detections.map((d) => [d.tags[0]?.tag.value, d.detection_score]) }));
process.exit(0);
`;

async function fixtures(): Promise<{ entry: string; model: string; wav: string }> {
  const entry = join(dir, "entry.ts");
  writeFileSync(entry, ENTRY);
  const model = join(dir, "energy.onnx");
  await Bun.write(model, energyModel(RATE));
  const wav = join(dir, "audio.wav");
  const audio = Float32Array.from({ length: 3 * RATE }, (_, i) => (i < RATE ? 0.5 : i < 2 * RATE ? (i % 2 ? 0.8 : -0.8) : 0.25));
  await Bun.write(wav, wavBytes([audio], RATE));
  return { entry, model, wav };
}

function run(argv: string[]): { threads: number; scores: Array<[string, number]> } {
  const proc = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe", env: { ...process.env, ACOUPI_LOG_LEVEL: "warn" } });
  const stdout = proc.stdout.toString().trim();
  if (proc.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${proc.exitCode}: ${proc.stderr.toString()}${stdout}`);
  return JSON.parse(stdout.split("\n").at(-1) ?? "");
}

const EXPECTED: Array<[string, number]> = [
  ["loud", 0.5],
  ["energetic", 0.25],
  ["loud", 0.8],
  ["energetic", 0.64],
  ["loud", 0.25],
];

function rounded(scores: Array<[string, number]>): Array<[string, number]> {
  return scores.map(([label, score]) => [label, Number(score.toFixed(4))]);
}

describe("WASM threads", () => {
  test("a model with threads: 2 runs on two WASM threads from source and gives the single-thread scores", async () => {
    const { entry, model, wav } = await fixtures();
    const one = run([BUN, entry, model, wav, "1"]);
    const two = run([BUN, entry, model, wav, "2"]);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(rounded(one.scores)).toEqual(EXPECTED);
    expect(rounded(two.scores)).toEqual(EXPECTED);
  }, 60_000);

  test("a compiled binary runs a model on two WASM threads too", async () => {
    const { entry, model, wav } = await fixtures();
    const binary = join(dir, "threads-probe");
    const flags = ["--compile", "--bytecode", "--format=esm", "--minify-syntax", "--minify-whitespace"];
    const build = Bun.spawnSync([BUN, "build", ...flags, "--outfile", binary, entry], { stdout: "pipe", stderr: "pipe" });
    expect(build.stderr.toString()).not.toContain("error");
    expect(build.exitCode).toBe(0);
    const two = run([binary, model, wav, "2"]);
    expect(two.threads).toBe(2);
    expect(rounded(two.scores)).toEqual(EXPECTED);
  }, 60_000);
});
