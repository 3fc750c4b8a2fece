/**
 * @module Tests of choosing which pages of the executable's writable mapping to give back: only
 * resident pages that are still file pages (never written), in runs; never a page the process
 * wrote to, never another file's or an anonymous mapping. The release itself is measured on the
 * compiled runner by bench/feature-memory.ts.
 */
import { describe, expect, test } from "bun:test";
import { cleanFileRuns, writableMappingsOf } from "../../src/app/release-startup-pages.ts";

const PRESENT = 1n << 63n;
const FILE = 1n << 61n;

describe("releasing the executable's clean data pages", () => {
  test("only resident file pages are chosen, in runs; written (anonymous) and absent pages split them", () => {
    const entries = BigUint64Array.from([PRESENT | FILE, PRESENT | FILE, PRESENT, 0n, PRESENT | FILE, FILE, PRESENT | FILE | 123n, PRESENT | FILE]);
    expect(cleanFileRuns(entries)).toEqual([[0, 2], [4, 1], [6, 2]]);
    expect(cleanFileRuns(new BigUint64Array(0))).toEqual([]);
    expect(cleanFileRuns(BigUint64Array.from([PRESENT, 0n]))).toEqual([]);
  });

  test("only the executable's private writable mappings are read, never the heap or a library", () => {
    const maps = [
      "00400000-00452000 r--p 00000000 08:02 173521      /opt/acoupi",
      "01c00000-01d00000 rw-p 01800000 08:02 173521      /opt/acoupi",
      "01d00000-01e00000 rw-s 01900000 08:02 173521      /opt/acoupi",
      "01e00000-01f00000 rw-p 00000000 00:00 0 ",
      "7f0000000000-7f0000100000 rw-p 00000000 08:02 99 /usr/lib/x86_64-linux-gnu/libc.so.6",
    ].join("\n");
    const chosen = writableMappingsOf(maps, "/opt/acoupi");
    expect(chosen).toEqual([{ start: 0x1c00000n, end: 0x1d00000n, perms: "rw-p", path: "/opt/acoupi" }]);
  });
});
