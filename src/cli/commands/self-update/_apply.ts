/**
 * @module The steps of `acoupi self-update`, in the order that keeps a sensor recording:
 *   1. verify: SHA256SUMS's signature, then VERSION and the binary against it (release-source.ts);
 *   2. check: the binary is for this machine, runs, and knows every database's schema (a
 *      downgrade onto a newer schema is refused by name, before anything changes);
 *   3. swap: stop the runner, snapshot the databases a migration will change, put the new binary
 *      in place keeping the previous one, start the runner (systemd or not);
 *   4. watch: the new runner must record before `update.health_deadline_s` and not crash;
 *   5. otherwise roll back: the previous binary, the snapshots (the migrated files moved aside),
 *      the old runner started again, and the reason in run/update-result.json for the log and
 *      the next heartbeat.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, NotSetUpError, UpdateError } from "../../../errors.ts";
import { activeDeployment } from "../../../system/deployment-file.ts";
import { acoupiPaths } from "../../../system/paths.ts";
import { isCompiledBinary } from "../../../system/self-command.ts";
import { candidatePath, restorePreviousBinary, swapInBinary } from "../../../update/binary-swap.ts";
import { probeCandidate, releaseArch, unpackCandidate } from "../../../update/candidate.ts";
import { restoreSnapshot, snapshotDatabase, type Snapshot } from "../../../update/db-snapshot.ts";
import { lastLogLine, watchHealth } from "../../../update/health-watch.ts";
import { releaseKey, releaseSource, verifiedRelease } from "../../../update/release-source.ts";
import { fileSchemaVersion } from "../../../update/schema-versions.ts";
import { updateConfigOf, type UpdateConfig } from "../../../update/update-config.ts";
import { writeUpdateResult } from "../../../update/update-result.ts";
import { VERSION } from "../../../version.ts";
import { loadConfigured, resolveDeviceId, type Configured } from "../../../app/load-program.ts";
import { programSections } from "../../../programs/program-sections.ts";
import { managingService, startAfterUpdate, stopForUpdate } from "./_runner-control.ts";

export interface SelfUpdateArgs {
  from?: string;
  check: boolean;
  /** Staged rollout: only devices whose id hashes into the first `percent` of 100 buckets update. */
  percent?: number;
  say: (line: string) => void;
}

interface Database {
  label: string;
  kind: "metadata" | "outbox";
  file: string;
}

/** The device's rollout bucket, 0–99: stable for a device id, spread evenly across a fleet. */
export function rolloutBucket(deviceId: string): number {
  return Number.parseInt(new Bun.CryptoHasher("sha256").update(deviceId).digest("hex").slice(0, 8), 16) % 100;
}

function sourceSpec(args: SelfUpdateArgs, update: UpdateConfig): string {
  const spec = args.from ?? update.url ?? process.env.ACOUPI_RELEASE_URL ?? "";
  if (spec === "") {
    throw new ConfigError("No release location: update.url is not set, nor ACOUPI_RELEASE_URL, and no --from was given", {
      key: "update.url",
      help: "Run `acoupi config set update.url <release URL>`, or pass --from URL|FOLDER (docs/install.md)",
    });
  }
  if (!spec.includes("{version}")) return spec;
  if (update.version === null) {
    throw new ConfigError(`The release location "${spec}" holds {version}, but update.version is not set`, { key: "update.version", help: "Run `acoupi config set update.version 1.2.0`" });
  }
  return spec.replaceAll("{version}", update.version);
}

function databasesOf(configured: Configured): Database[] {
  const sections = programSections(configured.config, { program: configured.programName });
  const found: Database[] = [];
  if (sections.paths) found.push({ label: "metadata database", kind: "metadata", file: sections.paths.db_metadata });
  if (sections.messaging) found.push({ label: "outbox", kind: "outbox", file: sections.messaging.messages_db });
  return found;
}

async function loadIfSetUp(): Promise<Configured | null> {
  try {
    return await loadConfigured(acoupiPaths());
  } catch (error) {
    if (error instanceof NotSetUpError) return null;
    throw error;
  }
}

export async function selfUpdate(args: SelfUpdateArgs): Promise<number> {
  if (!isCompiledBinary()) {
    throw new UpdateError("self-update replaces the compiled acoupi binary, and this acoupi runs from source", { help: "Install a release (docs/install.md), or build one with `bun build.ts`" });
  }
  const binary = process.execPath;
  const configured = await loadIfSetUp();
  const paths = configured?.paths ?? acoupiPaths();
  const update = updateConfigOf(configured?.config ?? null);
  const spec = sourceSpec(args, update);
  if (args.percent !== undefined) {
    const bucket = rolloutBucket(resolveDeviceId(paths));
    if (bucket >= args.percent) {
      args.say(`Not in this rollout stage: this device is in bucket ${bucket} of 0–99, and --percent ${args.percent} covers buckets below ${args.percent}`);
      return 0;
    }
  }
  const scratch = mkdtempSync(join(tmpdir(), "acoupi-update-"));
  try {
    const release = await verifiedRelease(releaseSource(spec), scratch, releaseKey());
    const available = readFileSync(await release.fetchVerified("VERSION"), "utf8").trim();
    if (update.version !== null && available !== update.version) {
      throw new UpdateError(`The release at ${release.where} is acoupi ${available}, but update.version pins ${update.version}`, { help: "Point update.url at that version's release, or change update.version" });
    }
    if (available === VERSION) {
      args.say(`acoupi ${VERSION} is installed, and is the release at ${release.where}: nothing to do`);
      return 0;
    }
    if (args.check) {
      args.say(`acoupi ${available} is available at ${release.where} (installed: ${VERSION}); run \`acoupi self-update\` to install it`);
      return 0;
    }
    const arch = releaseArch();
    const xz = await release.fetchVerified(`acoupi-linux-${arch}.xz`);
    const candidate = candidatePath(binary);
    unpackCandidate(xz, candidate, arch);
    rmSync(xz, { force: true });
    try {
      return await install({ args, configured, binary, candidate, available });
    } finally {
      rmSync(candidate, { force: true });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Why a runner that never wrote its pidfile failed, with its last log line. */
function startFailure(configured: Configured, version: string): string {
  const line = lastLogLine(configured.paths);
  return `the new runner (acoupi ${version}) exited before it was running${line === null ? "" : `; its last log line: ${line}`}`;
}

interface InstallStep {
  args: SelfUpdateArgs;
  configured: Configured | null;
  binary: string;
  candidate: string;
  available: string;
}

async function install({ args, configured, binary, candidate, available }: InstallStep): Promise<number> {
  const info = probeCandidate(candidate);
  if (info.version !== available) throw new UpdateError(`The new binary says it is acoupi ${info.version}, but the release's VERSION says ${available}`, { help: "The release is inconsistent: report it to whoever published it" });
  const migrating: Database[] = [];
  for (const db of configured ? databasesOf(configured) : []) {
    const at = fileSchemaVersion(db.file);
    if (at === null) continue;
    const known = info.schemas?.[db.kind];
    if (known !== undefined && at > known) {
      throw new UpdateError(
        `acoupi ${info.version} knows the ${db.label} schema up to version ${known}, and ${db.file} is at version ${at} (written by a newer acoupi): a downgrade onto a newer schema is refused; nothing was changed`,
        { help: "Install the acoupi that wrote it, or a newer one" },
      );
    }
    if (known === undefined || at < known) migrating.push(db);
  }
  const deployment = configured ? activeDeployment(configured.paths) : null;
  if (configured === null || deployment === null) {
    swapInBinary(candidate, binary);
    writeUpdateResult(configured?.paths ?? acoupiPaths(), { outcome: "updated", from: VERSION, to: info.version, at: new Date().toISOString() });
    args.say(`Updated ${binary}: acoupi ${VERSION} → ${info.version} (the previous binary is ${binary}.previous). No deployment is active, so no runner was restarted`);
    return 0;
  }
  const service = managingService();
  const deadlineS = updateConfigOf(configured.config).health_deadline_s;
  args.say(`Stopping the runner of deployment "${deployment.name}" to update acoupi ${VERSION} → ${info.version}`);
  await stopForUpdate(configured, service);
  let snapshots: Snapshot[];
  try {
    snapshots = migrating.map((db) => snapshotDatabase(db.file, info.version));
    swapInBinary(candidate, binary);
  } catch (error) {
    await startAfterUpdate(configured, service, binary);
    throw error;
  }
  for (const snap of snapshots) args.say(`Snapshot of ${snap.file} (schema ${snap.schemaVersion}) in ${snap.snapshot}`);
  const since = new Date();
  const problem = await startAfterUpdate(configured, service, binary);
  args.say(`Started acoupi ${info.version}; waiting up to ${deadlineS} s (update.health_deadline_s) for it to record`);
  const verdict =
    problem !== null && service === null
      ? { healthy: false as const, reason: startFailure(configured, info.version) }
      : await watchHealth({ paths: configured.paths, version: info.version, since, deadlineS, systemd: service !== null });
  if (verdict.healthy) {
    writeUpdateResult(configured.paths, { outcome: "updated", from: VERSION, to: info.version, at: new Date().toISOString() });
    args.say(`Updated: acoupi ${info.version} is recording (runner pid ${verdict.pid}); the previous binary is ${binary}.previous`);
    return 0;
  }
  args.say(`The new runner is not healthy: ${verdict.reason}. Rolling back to acoupi ${VERSION}`);
  await stopForUpdate(configured, service);
  restorePreviousBinary(binary);
  const keptAside: string[] = [];
  for (const snap of snapshots) {
    // Only a file the new binary migrated needs its snapshot back: the old binary cannot open it.
    if (fileSchemaVersion(snap.file) !== snap.schemaVersion) keptAside.push(restoreSnapshot(snap));
  }
  writeUpdateResult(configured.paths, { outcome: "rolled_back", from: VERSION, to: info.version, at: new Date().toISOString(), reason: verdict.reason, keptAside });
  const restarted = await startAfterUpdate(configured, service, binary);
  for (const file of keptAside) args.say(`The migrated database is kept in ${file} (with the rows written since the snapshot)`);
  throw new UpdateError(`The update to acoupi ${info.version} was rolled back: ${verdict.reason}`, {
    help: restarted === null ? `acoupi ${VERSION} is recording again; the next heartbeat reports the rollback` : `The previous runner did not start either: ${restarted}`,
  });
}
