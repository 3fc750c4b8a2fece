/**
 * @module Building the binary from several test processes at once (`bun test --parallel`, or two
 * suites side by side) into one empty cache folder: exactly one process builds, the others wait
 * and get the same path, the binary is whole (it runs), and no lock or scratch folder is left.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../../helpers/cli.ts";

const cache = mkdtempSync(join(REPO, ".tmp", "concurrent-build-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

test("three processes asking for one binary at once get one whole build between them", async () => {
  const script = `import { buildBinaryIn } from ${JSON.stringify(join(REPO, "test/helpers/binaries.ts"))};
console.log(JSON.stringify(buildBinaryIn("x64", ${JSON.stringify(cache)})));`;
  const procs = Array.from({ length: 3 }, () => Bun.spawn([process.execPath, "-e", script], { cwd: REPO, stdout: "pipe", stderr: "pipe" }));
  const results = await Promise.all(procs.map(async (proc) => {
    const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    expect(await proc.exited, stderr).toBe(0);
    return JSON.parse(stdout.trim().split("\n").pop() ?? "null") as { path: string; built: boolean };
  }));
  const binary = join(cache, "acoupi-linux-x64");
  expect(results.map((r) => r.path)).toEqual([binary, binary, binary]);
  expect(results.filter((r) => r.built)).toHaveLength(1);
  expect(readdirSync(cache)).toEqual(["acoupi-linux-x64"]);
  const version = Bun.spawnSync([binary, "--version"], { stdout: "pipe", stderr: "pipe" });
  expect(version.exitCode, version.stderr.toString()).toBe(0);
  expect(version.stdout.toString()).toStartWith("acoupi ");
}, 600_000);
