import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { STORE_MIGRATIONS } from "../../../src/components/stores/_schema.ts";
import { Database } from "bun:sqlite";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStatus } from "../../../src/status/status-file.ts";
import { readLivePid } from "../../../src/system/pidfile.ts";
import { VERSION } from "../../../src/version.ts";
import { REPO } from "../../helpers/cli.ts";
import { countRows, deploy, waitFor, type Deployment } from "../../helpers/deployment.ts";
import { buildBinary } from "../../helpers/binaries.ts";
import { startReleaseServer, type ReleaseServer } from "./_release-server.ts";
import { buildRelease, type TestRelease } from "./_release.ts";
import { buildVariant, packRelease } from "./_variants.ts";

// `acoupi self-update` on the compiled x64 binary, without systemd (ACOUPI_SYSTEMD=0): the runner
// is a background process found through its pidfile. The installed binary is the one the build
// tests make (package.json's version, no key built in: ACOUPI_RELEASE_PUBKEY names the test key);
// the new versions are the release made by release.sh and variants built from patched copies of
// this tree (_variants.ts): one whose runner exits at once, and one with a new schema migration
// whose runner crashes a few seconds after it migrated and recorded.

const CRASH_AT_ONCE = [{ file: "src/cli/commands/run.ts", find: "    tuneRunnerProcess();\n", replace: '    process.stderr.write("simulated bad build: the runner exits at once\\n");\n    process.exit(3);\n' }];
const SCHEMA_THEN_CRASH = [
  {
    file: "src/components/stores/_schema.ts",
    find: "  return [createV1, addPurgedState, addPathRoot(roots), UPLOADS_V4];",
    replace: '  return [createV1, addPurgedState, addPathRoot(roots), UPLOADS_V4, "ALTER TABLE {schema}.recordings ADD COLUMN update_note TEXT;"];',
  },
  {
    file: "src/cli/commands/run.ts",
    find: "    tuneRunnerProcess();\n",
    replace: '    tuneRunnerProcess();\n    setTimeout(() => { process.stderr.write("simulated bad build: crashing after it migrated\\n"); process.exit(3); }, 7000);\n',
  },
];

let release: TestRelease;
let server: ReleaseServer;
let scratch: string;
let oldBinary: string;
let crashRelease: string;
let schemaRelease: string;
const deployed: Deployment[] = [];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A sensor recording from the fake microphone with `binary` copied into its own bin/ folder. */
const mounts: string[] = [];

/** Mounts a tmpfs of `bytes` on `dir` (as root); false where mounting is not allowed. */
function mountTmpfs(dir: string, bytes: number): boolean {
  mkdirSync(dir, { recursive: true });
  const proc = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", `size=${bytes},mode=0755`, "tmpfs", dir], { stderr: "pipe" });
  if (proc.exitCode === 0) mounts.push(dir);
  return proc.exitCode === 0;
}

async function sensor(name: string, program: "default" | "connected" = "connected", statusIntervalS = 1, binBytes?: number): Promise<{ d: Deployment; bin: string; acoupi: (args: string[]) => Promise<Run> }> {
  const d = deploy({ mic: { rawFile: join(REPO, "assets/demo-clip.raw") }, prefix: `acoupi-update-${name}-` });
  deployed.push(d);
  const bin = join(d.home.home, "bin/acoupi");
  mkdirSync(join(d.home.home, "bin"), { recursive: true });
  if (binBytes !== undefined && !mountTmpfs(join(d.home.home, "bin"), binBytes)) throw new Error("Cannot mount a tmpfs for bin/");
  copyFileSync(oldBinary, bin);
  const env = { ...d.env, ACOUPI_RELEASE_PUBKEY: release.publicKey, ACOUPI_STATUS_INTERVAL: String(statusIntervalS) };
  const acoupi = async (args: string[]): Promise<Run> => {
    const proc = Bun.spawn([bin, ...args], { env: { ...process.env, ...env }, cwd: d.home.home, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { code, stdout, stderr };
  };
  const setup = await acoupi([
    "setup", "--program", program, "--no-prompt", "--microphone.device_name", d.mic.device, "--microphone.samplerate", "16000",
    "--recording.duration", "1", "--recording.interval", "2", "--recording.schedule_start", "00:00", "--recording.schedule_end", "23:59:59",
    ...(program === "connected" ? ["--messaging.heartbeat_interval", "2"] : []),
  ]);
  expect(setup.code, setup.stderr).toBe(0);
  expect((await acoupi(["config", "set", "update.health_deadline_s", "60"])).code).toBe(0);
  const start = await acoupi(["start", "--name", `update-${name}`, "--no-check"]);
  expect(start.code, start.stderr).toBe(0);
  return { d, bin, acoupi };
}

function dbPath(d: Deployment, name = "metadata.db"): string {
  return join(d.home.acoupiHome, "storages", name);
}

function recordings(path: string): number {
  return countRows(path, "SELECT id FROM recordings");
}

/** The metadata schema version this build writes: one per migration. */
const SCHEMA = STORE_MIGRATIONS.length;

function userVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
  } finally {
    db.close();
  }
}

function runnerVersion(d: Deployment): string | null {
  const status = readStatus(join(d.home.acoupiHome, "run/status.json"));
  const pid = readLivePid(join(d.home.acoupiHome, "run/acoupi.pid"));
  return status !== null && pid !== null && status.pid === pid ? status.version : null;
}

describe("acoupi self-update on the compiled binary", () => {
  beforeAll(() => {
    release = buildRelease();
    oldBinary = buildBinary("x64");
    scratch = mkdtempSync(join(tmpdir(), "acoupi-self-update-"));
    crashRelease = packRelease(join(scratch, "crash"), buildVariant("99.0.1-crash", CRASH_AT_ONCE), "99.0.1-crash", release.keyFile);
    schemaRelease = packRelease(join(scratch, "schema"), buildVariant("99.1.0-schema", SCHEMA_THEN_CRASH), "99.1.0-schema", release.keyFile);
    server = startReleaseServer();
    server.publish("good", release.dir);
  }, 900_000);
  afterEach(async () => {
    for (const d of deployed.splice(0)) {
      // A lazy unmount detaches the tmpfs at once (a runner started from it keeps its file), so the home can go.
      const mounted = mounts.find((m) => m.startsWith(d.home.home));
      if (mounted !== undefined) Bun.spawnSync(["umount", "-l", mounted]);
      await d.cleanup();
    }
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test("a good update from the release URL restarts the runner on the new version, keeping the previous binary", async () => {
    const { d, bin, acoupi } = await sensor("good");
    await waitFor("a recording by the old runner", () => recordings(dbPath(d)) > 0);
    expect(runnerVersion(d)).toBe(VERSION);
    const update = await acoupi(["self-update", "--from", server.url("good")]);
    expect(update.stderr).toBe("");
    expect(update.code).toBe(0);
    expect(update.stdout).toContain(`Updated: acoupi ${release.version} is recording`);
    expect(Bun.spawnSync([bin, "--version"]).stdout.toString()).toStartWith(`acoupi ${release.version} (`);
    expect(Bun.spawnSync([`${bin}.previous`, "--version"]).stdout.toString()).toStartWith(`acoupi ${VERSION} (`);
    expect(runnerVersion(d)).toBe(release.version);
    const before = recordings(dbPath(d));
    await waitFor("a recording by the new runner", () => recordings(dbPath(d)) > before);
    expect(JSON.parse(readFileSync(join(d.home.acoupiHome, "run/update-result.json"), "utf8"))).toMatchObject({ outcome: "updated", from: VERSION, to: release.version });
    const again = await acoupi(["self-update", "--from", server.url("good")]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to do");
  }, 240_000);

  test("an update to a binary whose runner exits at once is rolled back, and the old version keeps recording and reports why", async () => {
    const { d, bin, acoupi } = await sensor("crash");
    await waitFor("a recording by the old runner", () => recordings(dbPath(d)) > 0);
    const update = await acoupi(["self-update", "--from", crashRelease]);
    expect(update.code).toBe(1);
    expect(update.stderr).toContain("The update to acoupi 99.0.1-crash was rolled back: the new runner (acoupi 99.0.1-crash) exited");
    expect(update.stderr).toContain("simulated bad build: the runner exits at once");
    expect(Bun.spawnSync([bin, "--version"]).stdout.toString()).toStartWith(`acoupi ${VERSION} (`);
    await waitFor("the old runner running again", () => runnerVersion(d) === VERSION);
    const before = recordings(dbPath(d));
    await waitFor("a recording after the rollback", () => recordings(dbPath(d)) > before);
    const result = JSON.parse(readFileSync(join(d.home.acoupiHome, "run/update-result.json"), "utf8"));
    expect(result).toMatchObject({ outcome: "rolled_back", from: VERSION, to: "99.0.1-crash" });
    const heartbeat = await waitFor("a heartbeat that reports the rollback", () =>
      countRows(dbPath(d, "messages.db"), "SELECT id FROM messages WHERE kind = 'heartbeat' AND content LIKE '%rolled back%'") > 0,
    );
    expect(heartbeat).toBe(true);
    const log = readFileSync(join(d.home.acoupiHome, "log/acoupi.log"), "utf8");
    expect(log).toContain(`The update to acoupi 99.0.1-crash rolled back to ${VERSION}: the new runner (acoupi 99.0.1-crash) exited`);
  }, 240_000);

  test("an update across a schema change migrates; its rollback restores the snapshot, keeps the newer rows aside, and recording goes on", async () => {
    // The runner's status every 10 s: the variant crashes at 7 s, before it could show its recordings.
    const { d, bin, acoupi } = await sensor("schema", "default", 10);
    await waitFor("a recording by the old runner", () => recordings(dbPath(d)) > 0);
    const update = await acoupi(["self-update", "--from", join(schemaRelease, "acoupi-linux-x64.xz")]);
    expect(update.code).toBe(1);
    expect(update.stdout).toContain(`Snapshot of ${dbPath(d)} (schema ${SCHEMA}) in ${dbPath(d)}.pre-update-99.1.0-schema`);
    expect(update.stderr).toContain("The update to acoupi 99.1.0-schema was rolled back");
    expect(Bun.spawnSync([bin, "--version"]).stdout.toString()).toStartWith(`acoupi ${VERSION} (`);
    const aside = readdirSync(join(d.home.acoupiHome, "storages")).filter((f) => /^metadata\.db\.rolled-back-\d{8}T\d{6}Z$/.test(f));
    expect(aside.length).toBe(1);
    const asidePath = join(d.home.acoupiHome, "storages", aside[0] as string);
    expect(update.stdout).toContain(`The migrated database is kept in ${asidePath}`);
    // The new binary migrated (schema SCHEMA + 1, its new column) and recorded before it crashed: those rows are kept aside.
    expect(userVersion(asidePath)).toBe(SCHEMA + 1);
    expect(countRows(asidePath, "SELECT update_note FROM recordings")).toBeGreaterThan(recordings(`${dbPath(d)}.pre-update-99.1.0-schema`));
    await waitFor("the old runner running again", () => runnerVersion(d) === VERSION);
    expect(userVersion(dbPath(d))).toBe(SCHEMA);
    const before = recordings(dbPath(d));
    await waitFor("a recording after the rollback", () => recordings(dbPath(d)) > before);
  }, 240_000);

  test("a downgrade onto a newer schema is refused by name, and changes nothing", async () => {
    const { d, bin, acoupi } = await sensor("downgrade", "default");
    await waitFor("a recording", () => recordings(dbPath(d)) > 0);
    expect((await acoupi(["stop"])).code).toBe(0);
    // The database as a newer acoupi left it: migrated to schema SCHEMA + 1 by the variant's own store.
    copyFileSync(buildVariant("99.1.0-schema", SCHEMA_THEN_CRASH), bin);
    expect((await acoupi(["task", "run", "file_management_task"])).code).toBe(0);
    expect(userVersion(dbPath(d))).toBe(SCHEMA + 1);
    const oldRelease = packRelease(join(scratch, "old"), oldBinary, VERSION, release.keyFile);
    const update = await acoupi(["self-update", "--from", oldRelease]);
    expect(update.code).toBe(1);
    expect(update.stderr).toContain(`acoupi ${VERSION} knows the metadata database schema up to version ${SCHEMA}, and ${dbPath(d)} is at version ${SCHEMA + 1} (written by a newer acoupi): a downgrade onto a newer schema is refused`);
    expect(Bun.spawnSync([bin, "--version"]).stdout.toString()).toStartWith("acoupi 99.1.0-schema (");
    expect(userVersion(dbPath(d))).toBe(SCHEMA + 1);
    expect(existsSync(`${bin}.previous`)).toBe(false);
  }, 240_000);

  test("--check says what is available and changes nothing; --percent 0 skips this device before downloading", async () => {
    const { bin, acoupi } = await sensor("check", "default");
    const check = await acoupi(["self-update", "--check", "--from", server.url("good")]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`acoupi ${release.version} is available at ${server.url("good")} (installed: ${VERSION})`);
    expect(Bun.spawnSync([bin, "--version"]).stdout.toString()).toStartWith(`acoupi ${VERSION} (`);
    const asked = server.requests.length;
    const staged = await acoupi(["self-update", "--percent", "0", "--from", server.url("good")]);
    expect(staged.code).toBe(0);
    expect(staged.stdout).toContain("Not in this rollout stage");
    expect(server.requests.length).toBe(asked);
  }, 120_000);

  test("a tampered release is refused by name and the installed binary is untouched", async () => {
    const { bin, acoupi } = await sensor("tampered", "default");
    const tampered = join(scratch, "tampered");
    cpSync(crashRelease, tampered, { recursive: true });
    const xz = readFileSync(join(tampered, "acoupi-linux-x64.xz"));
    xz[5000] = (xz[5000] ?? 0) ^ 0xff;
    writeFileSync(join(tampered, "acoupi-linux-x64.xz"), xz);
    const before = readFileSync(bin);
    const update = await acoupi(["self-update", "--from", tampered]);
    expect(update.code).toBe(1);
    expect(update.stderr).toContain("acoupi-linux-x64.xz from");
    expect(update.stderr).toContain("does not match its checksum in SHA256SUMS (tampered or truncated download)");
    expect(readFileSync(bin).equals(before)).toBe(true);
    expect(readdirSync(join(bin, "..")).toSorted()).toEqual(["acoupi"]);
  }, 120_000);

  const tmpfsTest = probeTmpfs() ? test : test.skip;
  tmpfsTest("a full disk during an update leaves the old binary and its runner running", async () => {
    // bin/ on a tmpfs that holds the installed binary but not a second one beside it.
    const { d, bin, acoupi } = await sensor("fulldisk", "default", 1, readFileSync(oldBinary).byteLength + 20 * 1024 * 1024);
    await waitFor("a recording by the old runner", () => recordings(dbPath(d)) > 0);
    const pid = readLivePid(join(d.home.acoupiHome, "run/acoupi.pid"));
    const before = readFileSync(bin);
    const update = await acoupi(["self-update", "--from", server.url("good")]);
    expect(update.code).toBe(1);
    expect(update.stderr).toContain("Cannot unpack the new binary into");
    expect(update.stderr).toContain("the installed binary is unchanged");
    expect(readFileSync(bin).equals(before)).toBe(true);
    expect(readdirSync(join(bin, "..")).toSorted()).toEqual(["acoupi"]);
    expect(readLivePid(join(d.home.acoupiHome, "run/acoupi.pid"))).toBe(pid);
    const count = recordings(dbPath(d));
    await waitFor("a recording after the refused update", () => recordings(dbPath(d)) > count);
  }, 240_000);
});

/** Whether this machine lets the tests mount a tmpfs (root in a container that allows it). */
function probeTmpfs(): boolean {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-tmpfs-probe-"));
  const proc = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir], { stderr: "pipe" });
  if (proc.exitCode === 0) Bun.spawnSync(["umount", dir]);
  else console.warn(`Skipping the full-disk self-update test: cannot mount a tmpfs (${proc.stderr.toString().trim()})`);
  rmSync(dir, { recursive: true, force: true });
  return proc.exitCode === 0;
}
