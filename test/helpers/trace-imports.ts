/**
 * @module A Bun preload that records every module the process resolves, and writes the list to
 * $ACOUPI_TRACE_IMPORTS on exit. Used to prove `acoupi --help` loads no FFI, ONNX or MQTT code.
 */
import { appendFileSync } from "node:fs";

const out = process.env.ACOUPI_TRACE_IMPORTS;
if (out) {
  Bun.plugin({
    name: "trace-imports",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        appendFileSync(out, `${args.path}\n`);
        return undefined;
      });
    },
  });
}
