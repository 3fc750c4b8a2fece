/** @module terminalSafe: control characters from outside become visible escapes; text, line feeds and tabs stay. */
import { expect, test } from "bun:test";
import { terminalSafe } from "../../src/cli/terminal-text.ts";

test("control characters, C1 codes and bidi overrides become escapes while text, line feeds and tabs stay", () => {
  expect(terminalSafe("ok\tfine\nnext")).toBe("ok\tfine\nnext");
  expect(terminalSafe("\x1b[2Jclear\x07")).toBe("\\x1b[2Jclear\\x07");
  expect(terminalSafe("a\rb\x00c\x7fd\x9be")).toBe("a\\x0db\\x00c\\x7fd\\x9be");
  expect(terminalSafe("file\u202Etxt.exe")).toBe("file\\u202etxt.exe");
  expect(terminalSafe("Grünspecht ✓")).toBe("Grünspecht ✓");
});
