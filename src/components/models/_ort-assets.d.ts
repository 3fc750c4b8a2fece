/**
 * @module The Emscripten glue of ORT's WASM build, embedded with `with { type: "file" }`: the
 * import is its path (types/assets.d.ts covers `*.wasm` the same way). The package ships no
 * declaration for it.
 */
declare module "onnxruntime-web/ort-wasm-simd-threaded.mjs" {
  const path: string;
  export default path;
}
