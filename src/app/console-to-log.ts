/**
 * @module Program output through the logger: in the runner, `console.log`, `info`, `warn`,
 * `error`, `debug` and `trace` (what a program file prints) become log lines tagged `program`, so
 * they land in the rotated `acoupi.log` (or the journal) instead of growing `runner-output.log`
 * without bound. The logger's own reporter writes to the process streams, never to `console`,
 * so this cannot loop.
 */
import { format } from "node:util";
import type { ConsolaInstance } from "consola";

/** Routes `console.*` to `logger` for the rest of the process's life. */
export function routeConsoleToLogger(logger: ConsolaInstance): void {
  const text = (args: unknown[]) => format(...args);
  console.log = (...args: unknown[]) => logger.info(text(args));
  console.info = (...args: unknown[]) => logger.info(text(args));
  console.warn = (...args: unknown[]) => logger.warn(text(args));
  console.error = (...args: unknown[]) => logger.error(text(args));
  console.debug = (...args: unknown[]) => logger.debug(text(args));
  console.trace = (...args: unknown[]) => logger.debug(text(args));
}
