/**
 * @module Writing small ONNX models from JavaScript, for tests and benchmarks that need real
 * inference on a model whose outputs are known. It declares the subset of onnx.proto it needs
 * (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto and
 * TensorShapeProto, with the field numbers of the ONNX spec) and encodes with protobufjs. Models
 * use IR version 8 and opset 17 (so ReduceMean still takes `axes` as an attribute).
 */
import protobuf from "protobufjs";

const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto {
  optional string name = 1; optional float f = 2; optional int64 i = 3; optional bytes s = 4;
  optional TensorProto t = 5; repeated float floats = 7; repeated int64 ints = 8; repeated bytes strings = 9;
  optional int32 type = 20;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message NodeProto {
  repeated string input = 1; repeated string output = 2; optional string name = 3;
  optional string op_type = 4; repeated AttributeProto attribute = 5; optional string domain = 7;
}
message ModelProto {
  optional int64 ir_version = 1; repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2; optional GraphProto graph = 7;
}
message GraphProto {
  repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12;
}
message TensorProto {
  repeated int64 dims = 1; optional int32 data_type = 2; optional string name = 8; optional bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
`;

/** TensorProto.DataType values. */
const DATA_TYPE = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7 } as const;
export type ElemType = keyof typeof DATA_TYPE;

/** AttributeProto.AttributeType values. */
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface Initializer {
  name: string;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;
}

export type AttributeValue = number | string | number[] | { float: number } | { floats: number[] } | Initializer;

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, AttributeValue>;
}

export interface ValueSpec {
  name: string;
  type?: ElemType;
  /** Numbers are fixed sizes, strings are named dynamic dimensions. */
  shape: Array<number | string>;
}

export interface GraphSpec {
  inputs: ValueSpec[];
  outputs: ValueSpec[];
  nodes: NodeSpec[];
  initializers?: Initializer[];
  opset?: number;
}

let root: protobuf.Root | undefined;

function modelType(): protobuf.Type {
  root ??= protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
  return root.lookupType("onnx.ModelProto");
}

function tensorProto(t: Initializer): Record<string, unknown> {
  const type =
    t.data instanceof Float32Array ? DATA_TYPE.float
    : t.data instanceof Int32Array ? DATA_TYPE.int32
    : t.data instanceof Uint8Array ? DATA_TYPE.uint8
    : t.data instanceof Int8Array ? DATA_TYPE.int8
    : DATA_TYPE.int64;
  // raw_data is little-endian, which is what typed arrays hold on every platform we run on.
  const raw = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name: t.name, dims: t.dims, data_type: type, raw_data: raw };
}

function attribute(name: string, value: AttributeValue): Record<string, unknown> {
  if (typeof value === "number") return { name, type: ATTR_TYPE.INT, i: value };
  if (typeof value === "string") return { name, type: ATTR_TYPE.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: ATTR_TYPE.INTS, ints: value };
  if ("float" in value) return { name, type: ATTR_TYPE.FLOAT, f: value.float };
  if ("floats" in value) return { name, type: ATTR_TYPE.FLOATS, floats: value.floats };
  return { name, type: ATTR_TYPE.TENSOR, t: tensorProto(value) };
}

function valueInfo(v: ValueSpec): Record<string, unknown> {
  const dim = v.shape.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d }));
  return { name: v.name, type: { tensor_type: { elem_type: DATA_TYPE[v.type ?? "float"], shape: { dim } } } };
}

/** Encodes a graph as ONNX model bytes. */
export function buildOnnxModel(spec: GraphSpec): Uint8Array {
  const type = modelType();
  const message = type.fromObject({
    ir_version: 8,
    producer_name: "acoupi-test",
    opset_import: [{ domain: "", version: spec.opset ?? 17 }],
    graph: {
      name: "graph",
      node: spec.nodes.map((n, i) => ({
        name: `${n.op.toLowerCase()}_${i}`,
        op_type: n.op,
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: (spec.initializers ?? []).map(tensorProto),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
    },
  });
  return type.encode(message).finish();
}

/**
 * A model [batch, samples] → [batch, 2] whose two scores per window are exactly known:
 * score 0 = mean(|x|), score 1 = mean(x²). Both lie in [0, 1] for audio in [-1, 1].
 */
export function energyModel(
  samples: number | string,
  options: { batch?: number | string; outputs?: number; outputShape?: Array<number | string> } = {},
): Uint8Array {
  const batch = options.batch ?? 1;
  const nodes: NodeSpec[] = [
    { op: "Abs", inputs: ["audio"], outputs: ["abs"] },
    { op: "ReduceMean", inputs: ["abs"], outputs: ["mean_abs"], attributes: { axes: [1], keepdims: 1 } },
    { op: "Mul", inputs: ["audio", "audio"], outputs: ["square"] },
    { op: "ReduceMean", inputs: ["square"], outputs: ["mean_square"], attributes: { axes: [1], keepdims: 1 } },
  ];
  const parts = ["mean_abs", "mean_square"];
  // Extra outputs (to test label-count checks) repeat mean(|x|).
  for (let i = 2; i < (options.outputs ?? 2); i++) parts.push("mean_abs");
  nodes.push({ op: "Concat", inputs: parts, outputs: ["scores"], attributes: { axis: 1 } });
  return buildOnnxModel({
    inputs: [{ name: "audio", shape: [batch, samples] }],
    outputs: [{ name: "scores", shape: options.outputShape ?? [batch, parts.length] }],
    nodes,
  });
}

/**
 * A model [1, samples] → [1, 2] that is slow on purpose and has no weights: the window is reshaped
 * to [samples / cols, cols], multiplied by its transpose, then squared `steps` times through Tanh
 * (each step (samples / cols)³ multiply-adds). Both scores are the mean of the result.
 */
export function matmulChainModel(samples: number, cols: number, steps: number): Uint8Array {
  const rows = samples / cols;
  if (!Number.isInteger(rows)) throw new Error(`matmulChainModel: ${samples} samples do not split into rows of ${cols}`);
  const nodes: NodeSpec[] = [
    { op: "Reshape", inputs: ["audio", "square_shape"], outputs: ["x"] },
    { op: "Transpose", inputs: ["x"], outputs: ["xt"] },
    { op: "MatMul", inputs: ["x", "xt"], outputs: ["m0"] },
  ];
  for (let i = 0; i < steps; i++) {
    nodes.push({ op: "MatMul", inputs: [`m${i}`, `m${i}`], outputs: [`p${i}`] });
    nodes.push({ op: "Tanh", inputs: [`p${i}`], outputs: [`m${i + 1}`] });
  }
  nodes.push(
    { op: "ReduceMean", inputs: [`m${steps}`], outputs: ["mean"], attributes: { keepdims: 0 } },
    { op: "Reshape", inputs: ["mean", "one_shape"], outputs: ["one"] },
    { op: "Concat", inputs: ["one", "one"], outputs: ["scores"], attributes: { axis: 1 } },
  );
  return buildOnnxModel({
    inputs: [{ name: "audio", shape: [1, samples] }],
    outputs: [{ name: "scores", shape: [1, 2] }],
    nodes,
    initializers: [
      { name: "square_shape", dims: [2], data: new BigInt64Array([BigInt(rows), BigInt(cols)]) },
      { name: "one_shape", dims: [2], data: new BigInt64Array([1n, 1n]) },
    ],
  });
}
