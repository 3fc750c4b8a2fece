import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { externalizeWeights } from "../../../src/components/models/_external-weights.ts";
import { openSession } from "../../../src/components/models/_onnx-session.ts";
import { loadOrt } from "../../../src/components/models/_ort-runtime.ts";
import { ModelError } from "../../../src/errors.ts";
import { buildOnnxModel } from "../../helpers/onnx-builder.ts";
import { tempDir } from "../../helpers/model-fixtures.ts";

const dir = tempDir();
const IN = 96;
const OUT = 40;

function weights(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + seed) * 0.5);
}

/** x [1, IN] → Gemm with a 15 KB weight and a 160 B bias → Sigmoid → y [1, OUT]. */
function denseModel(): Uint8Array {
  return buildOnnxModel({
    inputs: [{ name: "x", shape: [1, IN] }],
    outputs: [{ name: "y", shape: [1, OUT] }],
    nodes: [
      { op: "Gemm", inputs: ["x", "w", "b"], outputs: ["logits"] },
      { op: "Sigmoid", inputs: ["logits"], outputs: ["y"] },
    ],
    initializers: [
      { name: "w", dims: [IN, OUT], data: weights(IN * OUT, 1) },
      { name: "b", dims: [OUT], data: weights(OUT, 2) },
    ],
  });
}

async function scoresOf(session: Awaited<ReturnType<typeof openSession>>["session"]): Promise<Float32Array> {
  const ort = await loadOrt();
  const x = new ort.Tensor("float32", weights(IN, 3), [1, IN]);
  const result = await session.run({ x });
  return result.y?.data as Float32Array;
}

describe("external weights", () => {
  test("moving the large weights out leaves a small graph pointing at their offsets in the original bytes", () => {
    const model = denseModel();
    const moved = externalizeWeights(model, "dense.onnx.weights");
    expect(moved).not.toBeNull();
    expect(moved?.moved).toBe(1);
    expect(moved?.movedBytes).toBeGreaterThan(IN * OUT * 4);
    expect(moved?.graph.length).toBeLessThan(1000);
    const text = new TextDecoder("latin1").decode(moved?.graph);
    expect(text).toContain("dense.onnx.weights");
    // The offset written into the graph is where the weight's bytes start in the original file.
    const offset = Number(/offset\x12[\s\S](\d+)/.exec(text)?.[1]);
    const expected = new Uint8Array(weights(IN * OUT, 1).buffer);
    expect(model.subarray(offset, offset + expected.length)).toEqual(expected);
  });

  test("a session opened with external weights scores exactly like one given the whole file", async () => {
    const bytes = denseModel();
    const path = join(dir, "dense.onnx");
    await Bun.write(path, bytes);
    const ort = await loadOrt();
    // Same options as openSession uses, so that only the way the weights arrive differs.
    const whole = await ort.InferenceSession.create(bytes.slice(), { extra: { session: { disable_prepacking: "1" } } });
    const opened = await openSession(path, "model");
    try {
      expect(await scoresOf(opened.session)).toEqual(await scoresOf(whole));
      expect(opened.inputs).toEqual([{ name: "x", type: "float32", shape: [1, IN] }]);
    } finally {
      await whole.release();
      await opened.session.release();
    }
  });

  test("prepacked weights give the same scores as unpacked ones", async () => {
    const path = join(dir, "dense-prepack.onnx");
    await Bun.write(path, denseModel());
    const packed = await openSession(path, "model", { prepack: true });
    const unpacked = await openSession(path, "model", { prepack: false });
    try {
      const a = await scoresOf(packed.session);
      const b = await scoresOf(unpacked.session);
      a.forEach((v, i) => expect(v).toBeCloseTo(b[i] ?? NaN, 6));
    } finally {
      await packed.session.release();
      await unpacked.session.release();
    }
  });

  test("a model whose weights are all small is left as it is", () => {
    const small = buildOnnxModel({
      inputs: [{ name: "x", shape: [1, 4] }],
      outputs: [{ name: "y", shape: [1, 2] }],
      nodes: [{ op: "MatMul", inputs: ["x", "w"], outputs: ["y"] }],
      initializers: [{ name: "w", dims: [4, 2], data: weights(8, 4) }],
    });
    expect(externalizeWeights(small, "small.weights")).toBeNull();
  });

  test("bytes that are not a protobuf are refused with a RangeError", () => {
    const model = denseModel();
    expect(() => externalizeWeights(model.subarray(0, model.length - 100), "cut.weights")).toThrow(RangeError);
    expect(() => externalizeWeights(new Uint8Array([0x0f, 1, 2, 3]), "junk.weights")).toThrow(RangeError);
  });

  test("a truncated model file still fails as a ModelError naming the file", async () => {
    const model = denseModel();
    const path = join(dir, "truncated.onnx");
    await Bun.write(path, model.subarray(0, model.length - 100));
    const error = await openSession(path, "model.path").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as Error).message).toContain(path);
  });
});
