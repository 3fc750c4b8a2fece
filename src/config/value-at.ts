/**
 * @module The value at a dotted key (`recording.duration`, or a path of parts) of a plain config
 * value, without any schema: undefined when a section on the way is missing or not an object.
 */
export function valueAt(config: unknown, key: string | readonly string[]): unknown {
  let current = config;
  for (const part of typeof key === "string" ? key.split(".").filter((p) => p.length > 0) : key) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
