/**
 * @module A release made by the real scripts/release.sh, once per source state, with a throwaway
 * signing key pair made here (as the tests of the release, the install script and self-update
 * need): cached in .tmp/build/<key>/release/, where the key also hashes the release and install
 * scripts. Also signs folders of hand-made release files (a tampered or a bad release) with the
 * same key, as the release script would.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "../../helpers/cli.ts";
import { sourceKey } from "../../helpers/binaries.ts";

/** The version the test release is tagged with (`v` + this), newer than package.json's. */
export const RELEASE_VERSION = "99.0.0-test";

export interface TestRelease {
  dir: string;
  version: string;
  /** The throwaway private key (OpenSSH) and its public key line. */
  keyFile: string;
  publicKey: string;
  /** What release.sh printed (stderr). */
  log: string;
}

function cacheDir(): string {
  const hasher = new Bun.CryptoHasher("sha256").update(sourceKey());
  for (const script of ["scripts/release.sh", "scripts/install.sh", "scripts/arm64-deps.sh"]) hasher.update(readFileSync(join(REPO, script)));
  return join(REPO, ".tmp", "build", `release-${hasher.digest("hex").slice(0, 16)}`);
}

/** A throwaway ed25519 key pair in `dir` (made once). */
export function testKeyPair(dir: string, name = "release-key"): { keyFile: string; publicKey: string } {
  const keyFile = join(dir, name);
  if (!existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true });
    const gen = Bun.spawnSync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "acoupi-test-release", "-f", keyFile]);
    if (gen.exitCode !== 0) throw new Error(`ssh-keygen failed: ${gen.stderr.toString()}`);
  }
  return { keyFile, publicKey: readFileSync(`${keyFile}.pub`, "utf8").trim() };
}

/** The test release, made by scripts/release.sh as CI runs it on tag v99.0.0-test. */
export function buildRelease(): TestRelease {
  const base = cacheDir();
  const dir = join(base, "release");
  const { keyFile, publicKey } = testKeyPair(base);
  const logFile = join(base, "release.log");
  if (existsSync(join(dir, "SHA256SUMS.sig"))) return { dir, version: RELEASE_VERSION, keyFile, publicKey, log: readFileSync(logFile, "utf8") };
  rmSync(dir, { recursive: true, force: true });
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ACOUPI_RELEASE_KEY: readFileSync(keyFile, "utf8"),
    GITHUB_REF_TYPE: "tag",
    GITHUB_REF_NAME: `v${RELEASE_VERSION}`,
    ACOUPI_XZ_LEVEL: "0",
  };
  delete env.ACOUPI_VERSION;
  const proc = Bun.spawnSync(["bash", join(REPO, "scripts/release.sh"), dir], { cwd: REPO, env, stdout: "pipe", stderr: "pipe" });
  const log = proc.stderr.toString();
  writeFileSync(logFile, log);
  if (proc.exitCode !== 0) throw new Error(`scripts/release.sh failed (exit ${proc.exitCode}):\n${log}`);
  return { dir, version: RELEASE_VERSION, keyFile, publicKey, log };
}

/** Writes SHA256SUMS over `files` in `dir` and signs it with `keyFile`, as release.sh does. */
export function signFolder(dir: string, files: string[], keyFile: string): void {
  const sums = Bun.spawnSync(["sha256sum", ...files], { cwd: dir });
  if (sums.exitCode !== 0) throw new Error(`sha256sum failed: ${sums.stderr.toString()}`);
  writeFileSync(join(dir, "SHA256SUMS"), sums.stdout);
  rmSync(join(dir, "SHA256SUMS.sig"), { force: true });
  const sign = Bun.spawnSync(["ssh-keygen", "-q", "-Y", "sign", "-f", keyFile, "-n", "acoupi-release", join(dir, "SHA256SUMS")]);
  if (sign.exitCode !== 0) throw new Error(`ssh-keygen -Y sign failed: ${sign.stderr.toString()}`);
}

/** `ssh-keygen -Y verify` of `dir`/SHA256SUMS against `publicKey`: its exit code and output. */
export function verifySignature(dir: string, publicKey: string): { code: number; output: string } {
  const allowed = join(dir, ".allowed_signers");
  writeFileSync(allowed, `acoupi-release ${publicKey.split(" ").slice(0, 2).join(" ")}\n`);
  const proc = Bun.spawnSync(
    ["ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "acoupi-release", "-n", "acoupi-release", "-s", join(dir, "SHA256SUMS.sig")],
    { stdin: Bun.file(join(dir, "SHA256SUMS")), stdout: "pipe", stderr: "pipe" },
  );
  rmSync(allowed, { force: true });
  return { code: proc.exitCode ?? -1, output: proc.stdout.toString() + proc.stderr.toString() };
}

/** Decompresses `dir`/acoupi-linux-<arch>.xz into `outfile` (mode 0755). */
export function unpackBinary(dir: string, arch: "x64" | "arm64", outfile: string): string {
  const proc = Bun.spawnSync(["sh", "-c", 'xz -dc "$1" > "$2" && chmod 0755 "$2"', "sh", join(dir, `acoupi-linux-${arch}.xz`), outfile]);
  if (proc.exitCode !== 0) throw new Error(`xz -dc failed: ${proc.stderr.toString()}`);
  return outfile;
}
