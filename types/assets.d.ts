/** @module Declarations for assets embedded with `with { type: "file" }`: each import is a path. */
declare module "*.wasm" {
  const path: string;
  export default path;
}
declare module "*.onnx" {
  const path: string;
  export default path;
}
declare module "*.raw" {
  const path: string;
  export default path;
}
