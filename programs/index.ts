/**
 * @module The built-in programs: each loaded lazily (compiled into the binary, imported only when
 * chosen, so `--help` loads none of them), with acoupi's module names as aliases. The CLI builds
 * its program registry from this list; src/programs/ never imports programs/. Each program
 * declares `apiVersion: 1` and composes only from names of the program API (docs/program-api.md),
 * importing each from the module that defines it, so the default program does not load the model
 * and messenger code it never uses (test/programs/api.test.ts holds them to the API).
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
