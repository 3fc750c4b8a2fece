/**
 * @module Rewriting an ONNX model in memory so that ORT reads its large weights as "external
 * data" from the file bytes we already hold, instead of from inside the protobuf. Handing ORT-web a
 * model as one buffer costs three copies of every weight in WASM memory at once (the model bytes,
 * the parsed protobuf, the session's tensors), and WASM memory never shrinks, so a 43 MB model
 * left a 115 MB high-water mark. With the weights external, the protobuf ORT parses is a few KB
 * and each weight is copied once, straight from the JS buffer into its tensor. Only the bytes of
 * the top-level graph's `raw_data` initializers move; the result is the same model.
 */

/** Offsets of one protobuf field inside the buffer. */
interface Field {
  number: number;
  wire: number;
  /** Where the field's key starts. */
  start: number;
  /** Where its payload starts (for length-delimited fields, after the length). */
  payload: number;
  /** Where the field ends. */
  end: number;
}

const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;
const TENSOR_EXTERNAL_DATA = 13;
const TENSOR_DATA_LOCATION = 14;
const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;
const LOCATION_EXTERNAL = 1;

function readVarint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < at + 10; i++) {
    const byte = bytes[i];
    if (byte === undefined) throw new RangeError(`Truncated varint at byte ${at}`);
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, i + 1];
    scale *= 128;
  }
  throw new RangeError(`Varint longer than 10 bytes at byte ${at}`);
}

/** The fields of the message in `bytes[from, to)`, in order; throws on malformed input. */
function fields(bytes: Uint8Array, from: number, to: number): Field[] {
  const out: Field[] = [];
  let at = from;
  while (at < to) {
    const [key, afterKey] = readVarint(bytes, at);
    const wire = key % 8;
    let payload = afterKey;
    let end: number;
    if (wire === WIRE_VARINT) end = readVarint(bytes, afterKey)[1];
    else if (wire === WIRE_I64) end = afterKey + 8;
    else if (wire === WIRE_I32) end = afterKey + 4;
    else if (wire === WIRE_LEN) {
      const [length, afterLength] = readVarint(bytes, afterKey);
      payload = afterLength;
      end = afterLength + length;
    } else throw new RangeError(`Unsupported protobuf wire type ${wire} at byte ${at}`);
    if (end > to) throw new RangeError(`Field at byte ${at} runs past its message`);
    out.push({ number: Math.floor(key / 8), wire, start: at, payload, end });
    at = end;
  }
  return out;
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Pieces of an output message: byte arrays, or ranges of the source to copy. */
type Piece = Uint8Array | [start: number, end: number];

function pieceLength(pieces: Piece[]): number {
  return pieces.reduce((sum, p) => sum + (p instanceof Uint8Array ? p.length : p[1] - p[0]), 0);
}

function lengthDelimited(number: number, body: Piece[]): Piece[] {
  return [Uint8Array.from([...varint(number * 8 + WIRE_LEN), ...varint(pieceLength(body))]), ...body];
}

const encoder = new TextEncoder();

function stringEntry(key: string, value: string): Piece[] {
  const k = encoder.encode(key);
  const v = encoder.encode(value);
  return lengthDelimited(TENSOR_EXTERNAL_DATA, [...lengthDelimited(1, [k]), ...lengthDelimited(2, [v])]);
}

/** The tensor with its raw_data replaced by a reference to the same bytes in `location`. */
function externalTensor(bytes: Uint8Array, tensor: Field, location: string, minBytes: number): Piece[] | null {
  const parts = fields(bytes, tensor.payload, tensor.end);
  const raw = parts.find((f) => f.number === TENSOR_RAW_DATA && f.wire === WIRE_LEN);
  const alreadyExternal = parts.some((f) => f.number === TENSOR_EXTERNAL_DATA || f.number === TENSOR_DATA_LOCATION);
  if (raw === undefined || alreadyExternal || raw.end - raw.payload < minBytes) return null;
  const body: Piece[] = parts.filter((f) => f !== raw).map((f): Piece => [f.start, f.end]);
  body.push(...stringEntry("location", location));
  body.push(...stringEntry("offset", String(raw.payload)));
  body.push(...stringEntry("length", String(raw.end - raw.payload)));
  body.push(Uint8Array.from([TENSOR_DATA_LOCATION * 8 + WIRE_VARINT, LOCATION_EXTERNAL]));
  return lengthDelimited(GRAPH_INITIALIZER, body);
}

export interface ExternalWeights {
  /** The model without its large weights: a few KB of graph to hand ORT. */
  graph: Uint8Array;
  /** How many initializers now point into the original bytes, and how many bytes they hold. */
  moved: number;
  movedBytes: number;
}

/**
 * Rewrites `model` (a serialized ONNX ModelProto) so that each top-level initializer holding at
 * least `minBytes` of `raw_data` refers to the same bytes at their offset in the external file
 * `location`, which must then be mounted with the original buffer. Returns null when there is
 * nothing to move; throws RangeError when the bytes are not a well-formed protobuf.
 */
export function externalizeWeights(model: Uint8Array, location: string, minBytes = 4096): ExternalWeights | null {
  const top = fields(model, 0, model.length);
  const graphField = top.find((f) => f.number === MODEL_GRAPH && f.wire === WIRE_LEN);
  if (graphField === undefined) return null;
  let moved = 0;
  let movedBytes = 0;
  const graph: Piece[] = [];
  for (const f of fields(model, graphField.payload, graphField.end)) {
    const rewritten = f.number === GRAPH_INITIALIZER && f.wire === WIRE_LEN ? externalTensor(model, f, location, minBytes) : null;
    if (rewritten === null) {
      graph.push([f.start, f.end]);
      continue;
    }
    graph.push(...rewritten);
    moved++;
    movedBytes += f.end - f.start;
  }
  if (moved === 0) return null;
  const pieces: Piece[] = [];
  for (const f of top) {
    if (f === graphField) pieces.push(...lengthDelimited(MODEL_GRAPH, graph));
    else pieces.push([f.start, f.end]);
  }
  const out = new Uint8Array(pieceLength(pieces));
  let at = 0;
  for (const p of pieces) {
    const chunk = p instanceof Uint8Array ? p : model.subarray(p[0], p[1]);
    out.set(chunk, at);
    at += chunk.length;
  }
  return { graph: out, moved, movedBytes };
}
