/**
 * @module Reading a small JSON file safely: a size cap, the file and the position named in every
 * error, and prototype keys and absurd nesting refused (json-tree.ts). The config files, the
 * deployment, status and token files all go through it.
 */
import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "../errors.ts";
import { checkJsonTree } from "./json-tree.ts";

/** The largest JSON file read: a program config is a few kilobytes. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Parses a JSON file of at most `maxBytes`, naming the file and the position in the error, and
 * refuses prototype keys and absurd nesting by key (json-tree.ts).
 */
export function readJsonFile(path: string, maxBytes = MAX_CONFIG_BYTES): unknown {
  let text: string;
  try {
    const size = statSync(path).size;
    if (size > maxBytes) {
      throw new ConfigError(`${path} is ${size} bytes, more than the limit of ${maxBytes} bytes for a config file`, {
        help: "Check that this is the right file: a program config is a few kilobytes of JSON",
      });
    }
    text = readFileSync(path, "utf8");
  } catch (cause) {
    if (cause instanceof ConfigError) throw cause;
    throw new ConfigError(`Cannot read ${path}: ${(cause as Error).message}`, { cause, help: "Check the path and its permissions" });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError(`${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
      help: "Fix the file, or run `acoupi setup` again to rewrite it",
    });
  }
  checkJsonTree(value, path);
  return value;
}
