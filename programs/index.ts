/**
 * @module The built-in programs: each loaded lazily (compiled into the binary, imported only when
 * chosen, so `--help` loads none of them), with acoupi's module names as aliases. The CLI builds
 * its program registry from this list; src/programs/ never imports programs/.
 */
import type { BuiltinPrograms } from "../src/programs/registry.ts";

export const BUILTIN_PROGRAMS: BuiltinPrograms = {
  test: { loader: () => import("./test.ts"), aliases: ["acoupi.programs.test"] },
  default: { loader: () => import("./default.ts"), aliases: ["acoupi.programs.default"] },
  connected: { loader: () => import("./connected.ts"), aliases: ["acoupi.programs.connected"] },
  detection: { loader: () => import("./detection.ts"), aliases: [] },
  birdnet: { loader: () => import("./birdnet.ts"), aliases: ["acoupi_birdnet.program"] },
  bat: { loader: () => import("./bat.ts"), aliases: [] },
};
