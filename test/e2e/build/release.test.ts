import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../../helpers/cli.ts";
import { runBinary, runner, stampsVersionAndCommit } from "../../helpers/binaries.ts";
import { buildRelease, testKeyPair, unpackBinary, verifySignature, type TestRelease } from "./_release.ts";

// scripts/release.sh as CI runs it on a tag (GITHUB_REF_NAME=v99.0.0-test), with a throwaway key.
// Cached per source state in .tmp/build/release-*/ (see _release.ts); the first run builds both
// binaries, smoke-tests arm64 under qemu and compresses them (about a minute).
describe("scripts/release.sh", () => {
  let release: TestRelease;
  let scratch: string;
  beforeAll(() => {
    release = buildRelease();
    scratch = mkdtempSync(join(tmpdir(), "acoupi-release-test-"));
  }, 600_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  test("writes both xz binaries, install.sh, VERSION, SHA256SUMS over them and its signature", () => {
    expect(readdirSync(release.dir).toSorted()).toEqual(
      ["SHA256SUMS", "SHA256SUMS.sig", "VERSION", "acoupi-linux-arm64.xz", "acoupi-linux-x64.xz", "acoupi-release.pub", "install.sh"],
    );
    const listed = readFileSync(join(release.dir, "SHA256SUMS"), "utf8").trim().split("\n").map((line) => line.split("  ")[1]);
    expect(listed).toEqual(["acoupi-linux-arm64.xz", "acoupi-linux-x64.xz", "install.sh", "VERSION"]);
    const check = Bun.spawnSync(["sha256sum", "-c", "--strict", "SHA256SUMS"], { cwd: release.dir });
    expect(check.exitCode, check.stdout.toString()).toBe(0);
    expect(readFileSync(join(release.dir, "VERSION"), "utf8")).toBe(`${release.version}\n`);
  });

  test("the signature verifies with the release's public key, and not with another key", () => {
    const good = verifySignature(release.dir, release.publicKey);
    expect(good.code, good.output).toBe(0);
    expect(good.output).toContain('Good "acoupi-release" signature');
    expect(readFileSync(join(release.dir, "acoupi-release.pub"), "utf8").trim()).toBe(release.publicKey);
    const other = testKeyPair(scratch, "other-key");
    expect(verifySignature(release.dir, other.publicKey).code).not.toBe(0);
  });

  test("a SHA256SUMS changed after signing no longer verifies", () => {
    const copy = join(scratch, "tampered");
    cpSync(release.dir, copy, { recursive: true });
    const sums = readFileSync(join(copy, "SHA256SUMS"), "utf8");
    writeFileSync(join(copy, "SHA256SUMS"), sums.replace(/^[0-9a-f]/, (c) => (c === "0" ? "1" : "0")));
    expect(verifySignature(copy, release.publicKey).code).not.toBe(0);
  });

  test("the x64 binary prints the tag's version and the commit", () => {
    const binary = unpackBinary(release.dir, "x64", join(scratch, "acoupi-x64"));
    const result = runBinary(runner(binary), ["--version"], {});
    expect(result.code).toBe(0);
    expect(stampsVersionAndCommit(result.stdout, release.version)).toBe(true);
  }, 60_000);

  test("the arm64 binary passed its smoke test under qemu, and prints the tag's version as a Pi 4", () => {
    expect(release.log).toContain(`arm64 (qemu, cortex-a53) smoke test passed (acoupi ${release.version} (`);
    const binary = unpackBinary(release.dir, "arm64", join(scratch, "acoupi-arm64"));
    const result = runBinary(runner(binary, "cortex-a72"), ["--version"], {});
    expect(result.code, result.stderr).toBe(0);
    expect(stampsVersionAndCommit(result.stdout, release.version)).toBe(true);
  }, 120_000);

  test("the x64 binary trusts the release key built into it: self-update verifies the release with no key given", () => {
    const binary = unpackBinary(release.dir, "x64", join(scratch, "acoupi-x64-key"));
    const home = join(scratch, "key-home");
    const env = { HOME: home, ACOUPI_HOME: join(home, ".acoupi"), ACOUPI_RELEASE_PUBKEY: "", NO_COLOR: "1", ACOUPI_SYSTEMD: "0" };
    const same = runBinary(runner(binary), ["self-update", "--check", "--from", release.dir], env);
    expect(same.stderr).toBe("");
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`acoupi ${release.version} is installed, and is the release at ${release.dir}: nothing to do`);
    const stranger = testKeyPair(scratch, "stranger-key");
    const refused = runBinary(runner(binary), ["self-update", "--check", "--from", release.dir], { ...env, ACOUPI_RELEASE_PUBKEY: stranger.publicKey });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("The signature of SHA256SUMS from");
  }, 60_000);

  test("the published install.sh carries the release key in place of the placeholder", () => {
    const published = readFileSync(join(release.dir, "install.sh"), "utf8");
    expect(published).not.toContain("@ACOUPI_RELEASE_PUBKEY@");
    expect(published).toContain(`RELEASE_KEY_BUILT_IN='${release.publicKey.split(" ").slice(0, 2).join(" ")}'`);
  });

  test("without a signing key it refuses before building, naming the variables to set", () => {
    const env = { ...process.env, ACOUPI_RELEASE_KEY: "", ACOUPI_RELEASE_KEY_FILE: "", ACOUPI_VERSION: "1.2.3" };
    const proc = Bun.spawnSync(["bash", "scripts/release.sh", join(scratch, "nokey")], { cwd: REPO, env, stderr: "pipe" });
    expect(proc.exitCode).toBe(1);
    expect(proc.stderr.toString()).toContain("no signing key: set ACOUPI_RELEASE_KEY_FILE (a file) or ACOUPI_RELEASE_KEY");
  });

  test("a tag that is not a version is refused by name", () => {
    const env = { ...process.env, ACOUPI_RELEASE_KEY_FILE: release.keyFile, ACOUPI_VERSION: "", GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "nightly" };
    const proc = Bun.spawnSync(["bash", "scripts/release.sh", join(scratch, "badtag")], { cwd: REPO, env, stderr: "pipe" });
    expect(proc.exitCode).toBe(1);
    expect(proc.stderr.toString()).toContain('"nightly" is not a version such as 1.2.0');
  });
});
