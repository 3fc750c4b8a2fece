/**
 * @module Opening an ONNX file as an ORT session, with errors that name the file: a missing file
 * and a file ORT cannot parse each become a ModelError the user can act on. Also describes the
 * session's inputs and outputs with dynamic dimensions as `null`.
 */
import type { InferenceSession } from "onnxruntime-web";
import { ModelError } from "../../errors.ts";
import type { OrtModule } from "./_ort-runtime.ts";

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

/** Opens `path` (the value of config key `key`) as a single-threaded WASM session. */
export async function openSession(path: string, key: string): Promise<OpenedSession> {
  const file = Bun.file(path);
  if (!(await file.exists())) {
    throw new ModelError(`Model file "${path}" does not exist`, {
      help: `Set ${key} to the path of an .onnx model file`,
    });
  }
  const bytes = await file.bytes();
  // Imported here, not at the top, so that importing a model class does not load ORT.
  const { loadOrt } = await import("./_ort-runtime.ts");
  const ort = await loadOrt();
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelError(`Cannot load model file "${path}" (${key}): ${reason}`, {
      help: "Check that the file is a complete ONNX model; download it again if it was truncated",
      cause: error,
    });
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
