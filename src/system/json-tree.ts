/**
 * @module Checks on JSON that came from a file or the command line before anything walks it
 * recursively (migration, zod, structuredClone): a key that names an object's prototype
 * (`__proto__`, `constructor`, `prototype`) is refused, since code that copies keys could change
 * how every object behaves, and so is nesting deeper than any config has (MAX_DEPTH), which
 * would otherwise overflow the stack. The walk is iterative, so the check itself cannot overflow.
 * Each refusal names the dotted key.
 */
import { ConfigError } from "../errors.ts";

/** Deeper than any acoupi config (they nest three or four levels). */
export const MAX_DEPTH = 32;
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function dotted(path: readonly string[]): string {
  return path.length <= 8 ? path.join(".") : `${path.slice(0, 6).join(".")}.….${path[path.length - 1]} (${path.length} levels)`;
}

/** Throws a ConfigError naming the key when `value` holds a prototype key or nests deeper than MAX_DEPTH. */
export function checkJsonTree(value: unknown, source: string): void {
  const stack: Array<{ value: unknown; path: string[] }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: node, path } = stack.pop() as { value: unknown; path: string[] };
    if (node === null || typeof node !== "object") continue;
    if (path.length >= MAX_DEPTH) {
      throw new ConfigError(`${source} nests deeper than ${MAX_DEPTH} levels at ${dotted(path)}: no acoupi setting is that deep`, {
        key: path.join("."),
        help: "Check that this is an acoupi program config; `acoupi config show` prints one",
      });
    }
    const entries = Array.isArray(node) ? node.map((v, i) => [String(i), v] as const) : Object.entries(node);
    for (const [key, child] of entries) {
      if (PROTOTYPE_KEYS.has(key)) {
        const at = dotted([...path, key]);
        throw new ConfigError(`${source} has the key "${key}" (at ${at}), which acoupi refuses: it names an object's prototype, not a setting`, {
          key: at,
          help: `Remove "${key}" from the file`,
        });
      }
      stack.push({ value: child, path: [...path, key] });
    }
  }
}
