import { afterEach, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readOnlyMappingsOf } from "../../src/app/release-startup-pages.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const MAPS = [
  "00400000-00452000 r--p 00000000 08:02 173521      /opt/acoupi",
  "00452000-01c00000 r-xp 00052000 08:02 173521      /opt/acoupi",
  "01c00000-01d00000 rw-p 01800000 08:02 173521      /opt/acoupi",
  "01d00000-01e00000 rw-p 00000000 00:00 0 ",
  "7f0000000000-7f0000100000 r-xp 00000000 08:02 99 /usr/lib/x86_64-linux-gnu/libc.so.6",
].join("\n");

describe("releasing start-up pages", () => {
  test("only the executable's read-only and executable mappings are chosen, never its data or the heap", () => {
    const chosen = readOnlyMappingsOf(MAPS, "/opt/acoupi");
    expect(chosen.map((m) => m.perms)).toEqual(["r--p", "r-xp"]);
    expect(chosen[1]).toMatchObject({ start: 0x452000n, end: 0x1c00000n });
  });

  test("a process that pages out its own executable's start-up pages shrinks its RSS and keeps running", () => {
    // A private copy of the runtime: pages another process maps too (this test runner) are never paged out.
    const dir = mkdtempSync(join(tmpdir(), "acoupi-pageout-"));
    dirs.push(dir);
    const exe = join(dir, "bun-copy");
    copyFileSync(process.execPath, exe);
    const script = join(dir, "release.ts");
    const module = JSON.stringify(join(import.meta.dir, "../../src/app/release-startup-pages.ts"));
    writeFileSync(
      script,
      `import { releaseExecutablePages } from ${module};\nconst released = await releaseExecutablePages();\nconsole.log(JSON.stringify({ released, sum: [1, 2, 3].reduce((a, b) => a + b, 0) }));\n`,
    );
    const proc = Bun.spawnSync([exe, script], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ACOUPI_LOG_LEVEL: "warn" } });
    expect(proc.exitCode).toBe(0);
    const result = JSON.parse(proc.stdout.toString().trim()) as { released: number; sum: number };
    expect(result.sum).toBe(6);
    expect(result.released).toBeGreaterThan(5 * 1024);
  });
});
