/**
 * @module The one consola instance, and `logger(tag)` for components. Log lines never carry
 * secrets: callers log config through `maskSecrets` (src/config/secrets.ts), never raw.
 */
import { createConsola, type ConsolaInstance } from "consola";

const LEVELS: Record<string, number> = { silent: -999, error: 0, warn: 1, info: 3, debug: 4, trace: 5 };

function levelFromEnv(): number {
  const name = (process.env.ACOUPI_LOG_LEVEL ?? "info").toLowerCase();
  return LEVELS[name] ?? 3;
}

export const log: ConsolaInstance = createConsola({ level: levelFromEnv() });

/** A logger whose lines are tagged with the component or task name. */
export function logger(tag: string): ConsolaInstance {
  return log.withTag(tag);
}
