import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { startReleaseServer, type ReleaseServer } from "./_release-server.ts";
import { buildRelease, signFolder, testKeyPair, unpackBinary, type TestRelease } from "./_release.ts";

// The published install.sh (the release key built in by release.sh), downloading from a real
// Bun.serve on loopback into a fresh root (ACOUPI_INSTALL_DIR under a temp folder). No systemd
// runs here: the unit is checked as the text `acoupi service install` writes.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let release: TestRelease;
let server: ReleaseServer;
let scratch: string;

async function install(root: string, env: Record<string, string>): Promise<Run> {
  const proc = Bun.spawn(["bash", join(release.dir, "install.sh")], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: join(root, "home"),
      ACOUPI_HOME: join(root, "home/.acoupi"),
      ACOUPI_INSTALL_DIR: join(root, "usr/local/bin"),
      ACOUPI_SYSTEMD: "0",
      NO_COLOR: "1",
      ...env,
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

/** Every file under `root` with its size, mode, inode and mtime: what "changes nothing" compares. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const s = statSync(full);
      out[relative(root, full)] = `${s.size} ${s.mode.toString(8)} ${s.ino} ${s.mtimeMs}`;
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(root);
  return out;
}

function sha256(path: string): string {
  return new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex");
}

function freshRoot(name: string): string {
  const root = join(scratch, name);
  mkdirSync(join(root, "home"), { recursive: true });
  return root;
}

/** A copy of the release in which `change` altered some files. */
function variant(name: string, change: (dir: string) => void): string {
  const dir = join(scratch, `release-${name}`);
  cpSync(release.dir, dir, { recursive: true });
  change(dir);
  server.publish(name, dir);
  return server.url(name);
}

function flipByte(file: string, at: number): void {
  const bytes = readFileSync(file);
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  writeFileSync(file, bytes);
}

describe("scripts/install.sh", () => {
  let expected: string;
  beforeAll(() => {
    release = buildRelease();
    scratch = mkdtempSync(join(tmpdir(), "acoupi-install-test-"));
    server = startReleaseServer();
    server.publish("good", release.dir);
    expected = sha256(unpackBinary(release.dir, "x64", join(scratch, "expected-acoupi")));
  }, 600_000);
  afterAll(async () => {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test("installs the verified binary from the release URL into a fresh root, and a second run changes nothing", async () => {
    const root = freshRoot("fresh");
    const first = await install(root, { ACOUPI_RELEASE_URL: server.url("good") });
    expect(first.stderr).toContain(`installed acoupi ${release.version} (`);
    expect(first.code).toBe(0);
    const binary = join(root, "usr/local/bin/acoupi");
    expect(sha256(binary)).toBe(expected);
    expect(statSync(binary).mode & 0o777).toBe(0o755);
    expect(server.requests).toContain("/good/SHA256SUMS.sig");
    expect(server.requests).toContain("/good/acoupi-linux-x64.xz");
    const version = Bun.spawnSync([binary, "--version"]).stdout.toString();
    expect(version).toStartWith(`acoupi ${release.version} (`);

    const before = tree(root);
    const second = await install(root, { ACOUPI_RELEASE_URL: server.url("good") });
    expect(second.code).toBe(0);
    expect(second.stderr).toContain("is already installed at");
    expect(second.stderr).toContain("nothing changed");
    expect(tree(root)).toEqual(before);
  }, 120_000);

  test("refuses a tampered binary, a truncated one, a re-made SHA256SUMS and another key's signature, leaving the installed binary as it was", async () => {
    const root = freshRoot("tamper");
    expect((await install(root, { ACOUPI_RELEASE_URL: server.url("good") })).code).toBe(0);
    const binary = join(root, "usr/local/bin/acoupi");
    const before = tree(root);
    const other = testKeyPair(scratch, "other-key");
    const cases: Array<[string, string, string]> = [
      ["tampered", variant("tampered", (d) => flipByte(join(d, "acoupi-linux-x64.xz"), 4096)), "acoupi-linux-x64.xz does not match its checksum in SHA256SUMS"],
      ["truncated", variant("truncated", (d) => truncateSync(join(d, "acoupi-linux-x64.xz"), 1_000_000)), "acoupi-linux-x64.xz does not match its checksum in SHA256SUMS"],
      [
        "re-summed",
        variant("resummed", (d) => {
          flipByte(join(d, "acoupi-linux-x64.xz"), 4096);
          const sums = Bun.spawnSync(["sha256sum", "acoupi-linux-arm64.xz", "acoupi-linux-x64.xz", "install.sh", "VERSION"], { cwd: d }).stdout;
          writeFileSync(join(d, "SHA256SUMS"), sums);
        }),
        "the signature of SHA256SUMS does not verify with the acoupi release key",
      ],
      [
        "other key",
        variant("otherkey", (d) => signFolder(d, ["acoupi-linux-arm64.xz", "acoupi-linux-x64.xz", "install.sh", "VERSION"], other.keyFile)),
        "the signature of SHA256SUMS does not verify with the acoupi release key",
      ],
    ];
    for (const [label, url, message] of cases) {
      const result = await install(root, { ACOUPI_RELEASE_URL: url });
      expect(result.code, label).toBe(1);
      expect(result.stderr, label).toContain(message);
      expect(result.stderr, label).toContain("Nothing was installed");
    }
    expect(sha256(binary)).toBe(expected);
    expect(tree(root)).toEqual(before);
  }, 180_000);

  test("refuses a release whose x64 file holds the arm64 binary, by name", async () => {
    const url = variant("wrongarch", (d) => {
      cpSync(join(d, "acoupi-linux-arm64.xz"), join(d, "acoupi-linux-x64.xz"));
      signFolder(d, ["acoupi-linux-arm64.xz", "acoupi-linux-x64.xz", "install.sh", "VERSION"], release.keyFile);
    });
    const root = freshRoot("wrongarch");
    const result = await install(root, { ACOUPI_RELEASE_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("acoupi-linux-x64.xz holds a binary built for arm64, not for this x64 system");
    expect(existsSync(join(root, "usr/local/bin/acoupi"))).toBe(false);
  }, 120_000);

  test("refuses a 32-bit system, naming the Raspberry Pi OS to install, before downloading anything", async () => {
    const bin = join(scratch, "fake32");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "uname"), "#!/bin/sh\n[ \"$1\" = -m ] && echo armv7l || echo Linux\n");
    chmodSync(join(bin, "uname"), 0o755);
    const root = freshRoot("armv7");
    const asked = server.requests.length;
    const result = await install(root, { ACOUPI_RELEASE_URL: server.url("good"), PATH: `${bin}:${process.env.PATH}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("this is a 32-bit system (uname -m: armv7l");
    expect(result.stderr).toContain("install Raspberry Pi OS (64-bit)");
    expect(server.requests.length).toBe(asked);
    expect(existsSync(join(root, "usr/local/bin/acoupi"))).toBe(false);
  });

  test("refuses a 32-bit userland on a 64-bit kernel (uname aarch64, getconf LONG_BIT 32)", async () => {
    const bin = join(scratch, "fake32user");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "uname"), "#!/bin/sh\n[ \"$1\" = -m ] && echo aarch64 || echo Linux\n");
    writeFileSync(join(bin, "getconf"), "#!/bin/sh\necho 32\n");
    chmodSync(join(bin, "uname"), 0o755);
    chmodSync(join(bin, "getconf"), 0o755);
    const result = await install(freshRoot("armhf"), { ACOUPI_RELEASE_URL: server.url("good"), PATH: `${bin}:${process.env.PATH}` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("uname -m: aarch64, 32-bit userland");
  });

  test("installs offline from a folder (a USB stick) with the same checks", async () => {
    const root = freshRoot("usb");
    const stick = join(scratch, "usb-stick");
    cpSync(release.dir, stick, { recursive: true });
    const result = await install(root, { ACOUPI_FROM: stick });
    expect(result.code, result.stderr).toBe(0);
    expect(sha256(join(root, "usr/local/bin/acoupi"))).toBe(expected);
    flipByte(join(stick, "acoupi-linux-x64.xz"), 8192);
    const tampered = await install(freshRoot("usb-tampered"), { ACOUPI_FROM: stick });
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain("does not match its checksum");
  }, 120_000);

  test("without ACOUPI_RELEASE_URL it says to set it", async () => {
    const result = await install(freshRoot("nourl"), {});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ACOUPI_RELEASE_URL is not set");
  });

  test("ACOUPI_SERVICE=system writes the unit that runs the installed binary, once", async () => {
    const root = freshRoot("service");
    const units = join(root, "etc/systemd/system");
    const env = { ACOUPI_RELEASE_URL: server.url("good"), ACOUPI_SERVICE: "system", ACOUPI_SYSTEMD_DIR: units, ACOUPI_SYSTEMCTL: "/bin/true", SUDO_USER: "", USER: "pi" };
    const result = await install(root, env);
    expect(result.code, result.stderr).toBe(0);
    const unit = readFileSync(join(units, "acoupi.service"), "utf8");
    expect(unit).toContain(`\nExecStart=${join(root, "usr/local/bin/acoupi")} run\n`);
    expect(unit).toContain(`\nEnvironment="ACOUPI_HOME=${join(root, "home/.acoupi")}"\n`);
    expect(unit).toContain("\nUser=pi\n");
    expect(unit).toContain("WantedBy=multi-user.target");
    const before = tree(root);
    expect((await install(root, env)).code).toBe(0);
    expect(tree(root)).toEqual(before);
  }, 120_000);
});
