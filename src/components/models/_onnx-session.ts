/**
 * @module Opening an ONNX file as an ORT session, with errors that name the file: a missing file
 * and a file ORT cannot parse each become a ModelError the user can act on. Also describes the
 * session's inputs and outputs with dynamic dimensions as `null`. To keep the process small, the
 * model's weights reach ORT as external data (see _external-weights.ts), and weight prepacking,
 * which keeps a second, packed copy of each MatMul/Gemm weight while it packs, is off unless the
 * caller asks for it (it only pays off for batches of more than one window).
 */
import { basename } from "node:path";
import type { InferenceSession } from "onnxruntime-web";
import { z } from "zod";
import { ModelError } from "../../errors.ts";
import { logger } from "../../log.ts";
import { externalizeWeights } from "./_external-weights.ts";
import type { OrtModule } from "./_ort-runtime.ts";

const log = logger("model");

/** What to do with a TensorFlow Lite model: the same advice at setup and when the file's bytes say so. */
export const TFLITE_ADVICE =
  "is a TensorFlow Lite model (.tflite), which acoupi does not run: use an ONNX conversion of the same model (docs/birdnet.md names published ones) and set model.path to the .onnx file";

/** The `threads` key of the model schemas. */
export const THREADS_SCHEMA = z
  .number()
  .int()
  .min(1)
  .max(16)
  .default(1)
  .describe("WASM threads for inference (a Pi 4 has 4 cores); the first model loaded in a process sets it for all models");

export interface TensorInfo {
  name: string;
  type: string;
  /** Fixed sizes, or null for a dynamic (named or unknown) dimension. */
  shape: Array<number | null>;
}

export interface OpenedSession {
  ort: OrtModule;
  session: InferenceSession;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

function describe(metadata: readonly InferenceSession.ValueMetadata[]): TensorInfo[] {
  return metadata.map((m) => ({
    name: m.name,
    type: m.isTensor ? m.type : "non-tensor",
    // ORT reports an unnamed dynamic dimension as 2^32 - 1, and a named one as its name.
    shape: m.isTensor ? m.shape.map((d) => (typeof d === "number" && d >= 0 && d < 2 ** 31 ? d : null)) : [],
  }));
}

export interface SessionChoices {
  /** WASM threads; the first model loaded in the process sets the count for all (default 1). */
  threads?: number;
  /** Prepack MatMul/Gemm weights: faster for batches > 1, costs a transient weight copy. */
  prepack?: boolean;
  /** The file's expected SHA-256 (hex), or null/undefined to load any file. */
  sha256?: string | null;
  /** The config key of the expected hash, for the error. */
  sha256Key?: string;
}

/** TensorFlow Lite flatbuffers carry "TFL3" at bytes 4–7, whatever the file is called. */
function isTflite(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && new TextDecoder().decode(bytes.subarray(4, 8)) === "TFL3";
}

/** Refuses a TensorFlow Lite file and a file that is not the pinned one, before ORT sees it. */
function checkIdentity(bytes: Uint8Array, path: string, key: string, choices: SessionChoices): void {
  if (isTflite(bytes)) {
    throw new ModelError(`Model file "${path}" (${key}) ${TFLITE_ADVICE}`, {
      help: "The file is fine, but it is TensorFlow Lite: see docs/birdnet.md for the ONNX conversions and their sources",
    });
  }
  const expected = choices.sha256?.toLowerCase();
  if (expected === undefined || expected === null) return;
  const actual = new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
  if (actual !== expected) {
    const pin = choices.sha256Key ?? "model.sha256";
    throw new ModelError(`Model file "${path}" (${key}) has SHA-256 ${actual}, but ${pin} is ${expected}`, {
      help: `This is not the pinned file: get the published file again, or if you replaced it on purpose set ${pin} to ${actual}`,
    });
  }
}

/** The model bytes ORT parses, and the external data they refer to. */
function modelInput(bytes: Uint8Array, path: string): { model: Uint8Array; external: { path: string; data: Uint8Array }[] } {
  const location = `${basename(path)}.weights`;
  try {
    const moved = externalizeWeights(bytes, location);
    if (moved !== null) return { model: moved.graph, external: [{ path: location, data: bytes }] };
  } catch (error) {
    // Not a protobuf we can walk: ORT gets the file as it is and reports what is wrong with it.
    log.debug(`Model "${path}" passed to ORT whole: ${(error as Error).message}`);
  }
  return { model: bytes, external: [] };
}

/** The largest model file read: ORT holds about twice its size while creating the session. */
export const MAX_MODEL_BYTES = 256 * 1024 * 1024;

/** Opens `path` (the value of config key `key`) as a WASM session. */
export async function openSession(path: string, key: string, choices: SessionChoices = {}): Promise<OpenedSession> {
  const file = Bun.file(path);
  if (!(await file.exists())) {
    throw new ModelError(`Model file "${path}" does not exist`, {
      help: `Set ${key} to the path of an .onnx model file`,
    });
  }
  if (file.size > MAX_MODEL_BYTES) {
    throw new ModelError(`Model file "${path}" (${key}) is ${file.size} bytes, over the limit of ${MAX_MODEL_BYTES} bytes`, {
      help: "A Raspberry Pi cannot hold a model this large in memory; use a smaller (e.g. quantised) export",
    });
  }
  // Imported here, not at the top, so that importing a model class does not load ORT.
  const { loadOrt, releaseWasmBytes } = await import("./_ort-runtime.ts");
  // ORT first, then the model's bytes: instantiating the WASM peaks ~20 MB above where it settles,
  // and holding the model's bytes meanwhile would add their size to that peak (31 MB for a
  // BirdNET-size model; bench/model-memory.ts).
  const ort = await loadOrt(choices.threads ?? 1);
  const bytes = await file.bytes();
  checkIdentity(bytes, path, key, choices);
  const { model, external } = modelInput(bytes, path);
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
      externalData: external,
      extra: { session: { disable_prepacking: choices.prepack === true ? "0" : "1" } },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelError(`Cannot load model file "${path}" (${key}): ${reason}`, {
      help: "Check that the file is a complete ONNX model; download it again if it was truncated",
      cause: error,
    });
  } finally {
    releaseWasmBytes();
    // ORT has copied the weights into WASM memory; detaching frees our 1x-model-size copy now
    // rather than whenever the allocator's scavenger gets to it (seconds later, or never).
    bytes.buffer.transfer(0);
    // The runner's GC timer runs every 10 s (runtime-tuning.ts): collect the load's garbage now,
    // once, rather than let it count in the RSS until then.
    Bun.gc(true);
  }
  return { ort, session, inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
}

/** The tensor named `name`, or the first one when `name` is undefined. */
export function pickTensor(infos: TensorInfo[], name: string | undefined, what: string, key: string, path: string): TensorInfo {
  const found = name === undefined ? infos[0] : infos.find((t) => t.name === name);
  if (found === undefined) {
    const names = infos.map((t) => `"${t.name}"`).join(", ") || "none";
    throw new ModelError(`Model "${path}" has no ${what} named "${name ?? "(first)"}"`, {
      help: `Set ${key} to one of its ${what}s: ${names}`,
    });
  }
  return found;
}

/** `inputs a [1,512] float32, …; outputs …` with `?` for dynamic dimensions, for `acoupi check`. */
export function describeTensors(opened: Pick<OpenedSession, "inputs" | "outputs">): string {
  const one = (t: TensorInfo) => `${t.name} [${t.shape.map((d) => (d === null ? "?" : String(d))).join(",")}] ${t.type}`;
  return `inputs ${opened.inputs.map(one).join(", ")}; outputs ${opened.outputs.map(one).join(", ")}`;
}
