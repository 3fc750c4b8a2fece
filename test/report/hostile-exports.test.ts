/**
 * @module The tone fixture the hostile-export tests check Raven tables against
 * (test/e2e/report/hostile-exports.test.ts): its tone is planted only where it says, as toneShare
 * measures it.
 */
import { expect, test } from "bun:test";
import { RATE, toneShare, toneWav } from "../helpers/tone-db.ts";

test("the tone helper plants a tone only where it says", () => {
  const bytes = toneWav(2);
  const s = new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.byteLength));
  expect(toneShare(s, Math.round(1.1 * RATE), Math.round(1.4 * RATE))).toBeGreaterThan(0.9);
  expect(toneShare(s, 0, Math.round(0.5 * RATE))).toBe(0);
});
