import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStatus, writeStatus, type RunnerStatus } from "../../src/status/status-file.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-status-file-"));
  dirs.push(dir);
  return dir;
}

const STATUS: RunnerStatus = {
  pid: 42,
  program: "default",
  version: "0.1.0",
  state: "running",
  startedAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:05.000Z",
  degraded: [],
  tasks: {},
  components: { recorder: { framesLost: 0 } },
};

/** fsync and fdatasync calls a child process makes while it runs `code`, counted by strace. */
function fsyncsOf(code: string): number {
  const dir = tempDir();
  const script = join(dir, "write.ts");
  writeFileSync(script, code);
  const trace = join(dir, "trace.txt");
  const proc = Bun.spawnSync(["strace", "-f", "-qq", "-e", "trace=fsync,fdatasync", "-o", trace, process.execPath, script], { stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`strace failed: ${proc.stderr.toString()}`);
  const marker = proc.stdout.toString().trim();
  expect(marker).toBe("written");
  return readFileSync(trace, "utf8").split("\n").filter((line) => /\b(fsync|fdatasync)\(/.test(line)).length;
}

describe("status file", () => {
  test("the status file is replaced by rename and reads back whole", () => {
    const dir = tempDir();
    const path = join(dir, "run/status.json");
    writeStatus(path, STATUS);
    writeStatus(path, { ...STATUS, updatedAt: "2026-01-01T00:00:10.000Z" });
    expect(readStatus(path)).toEqual({ ...STATUS, updatedAt: "2026-01-01T00:00:10.000Z" });
    expect(readdirSync(join(dir, "run"))).toEqual(["status.json"]);
  });

  test("writing the status file makes no fsync, while a durable atomic write makes two", () => {
    const dir = tempDir();
    const statusModule = JSON.stringify(join(import.meta.dir, "../../src/status/status-file.ts"));
    const atomicModule = JSON.stringify(join(import.meta.dir, "../../src/system/atomic-write.ts"));
    const status = fsyncsOf(
      `import { writeStatus } from ${statusModule};\nfor (let i = 0; i < 3; i++) writeStatus(${JSON.stringify(join(dir, "status.json"))}, ${JSON.stringify(STATUS)});\nconsole.log("written");\n`,
    );
    const durable = fsyncsOf(
      `import { writeFileAtomic } from ${atomicModule};\nwriteFileAtomic(${JSON.stringify(join(dir, "config.json"))}, "{}");\nconsole.log("written");\n`,
    );
    expect(status).toBe(0);
    expect(durable).toBe(2);
  });
});
