import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rolloutBucket } from "../../src/cli/commands/self-update/_apply.ts";
import { openSqlite } from "../../src/system/sqlite.ts";
import { acoupiPaths } from "../../src/system/paths.ts";
import { STORE_MIGRATIONS } from "../../src/components/stores/_schema.ts";
import { previousPath, restorePreviousBinary, swapInBinary } from "../../src/update/binary-swap.ts";
import { restoreSnapshot, snapshotDatabase } from "../../src/update/db-snapshot.ts";
import { fileSchemaVersion, knownSchemaVersions } from "../../src/update/schema-versions.ts";
import { readUpdateResult, takeRollbackLogLine, withRollbackNotice, writeUpdateResult } from "../../src/update/update-result.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "acoupi-update-files-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function rows(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM deployments").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function addDeployment(db: Database, name: string): void {
  db.query("INSERT INTO deployments (id, name, started_on) VALUES (?, ?, ?)").run(crypto.randomUUID(), name, new Date().toISOString());
}

describe("database snapshots around an update", () => {
  test("a rollback puts the snapshot back and keeps the migrated file, with the rows written since, aside", () => {
    const file = join(dir, "metadata.db");
    const db = openSqlite(file, { label: "metadata store", migrations: STORE_MIGRATIONS });
    addDeployment(db, "before");
    const snap = snapshotDatabase(file, "9.9.9");
    expect(snap).toEqual({ file, snapshot: `${file}.pre-update-9.9.9`, schemaVersion: STORE_MIGRATIONS.length });
    // What a newer binary would do: migrate further and write more rows (left in the WAL).
    db.run(`ALTER TABLE deployments ADD COLUMN note TEXT; PRAGMA user_version = ${STORE_MIGRATIONS.length + 1}`);
    addDeployment(db, "after 1");
    addDeployment(db, "after 2");
    db.close();
    const aside = restoreSnapshot(snap, new Date("2026-05-01T10:20:30.456Z"));
    expect(aside).toBe(`${file}.rolled-back-20260501T102030Z`);
    expect(fileSchemaVersion(file)).toBe(STORE_MIGRATIONS.length);
    expect(rows(file)).toBe(1);
    expect(fileSchemaVersion(aside)).toBe(STORE_MIGRATIONS.length + 1);
    expect(rows(aside)).toBe(3);
    // The restored file opens as acoupi opens it, in WAL mode, and takes writes.
    const reopened = openSqlite(file, { label: "metadata store", migrations: STORE_MIGRATIONS });
    addDeployment(reopened, "recording again");
    reopened.close();
    expect(rows(file)).toBe(2);
  });

  test("a snapshot that cannot be written names the file and leaves no partial copy", () => {
    const file = join(dir, "metadata.db");
    openSqlite(file, { label: "metadata store", migrations: STORE_MIGRATIONS }).close();
    rmSync(file);
    expect(() => snapshotDatabase(file, "9.9.9")).toThrow(`Cannot snapshot the database ${file} before the update`);
    expect(readdirSync(dir).filter((f) => f.includes("pre-update"))).toEqual([]);
  });

  test("`--schema-versions` counts the migrations this acoupi knows", () => {
    expect(knownSchemaVersions().metadata).toBe(STORE_MIGRATIONS.length);
    expect(fileSchemaVersion(join(dir, "none.db"))).toBeNull();
  });
});

describe("swapping the binary", () => {
  test("the new file takes the binary's place, the old one is kept as .previous, and a rollback puts it back", () => {
    const binary = join(dir, "acoupi");
    writeFileSync(binary, "old");
    const candidate = join(dir, ".acoupi.update-1");
    writeFileSync(candidate, "new");
    swapInBinary(candidate, binary);
    expect(readFileSync(binary, "utf8")).toBe("new");
    expect(readFileSync(previousPath(binary), "utf8")).toBe("old");
    expect(existsSync(candidate)).toBe(false);
    restorePreviousBinary(binary);
    expect(readFileSync(binary, "utf8")).toBe("old");
    expect(readdirSync(dir).toSorted()).toEqual(["acoupi", "acoupi.previous"]);
  });

  test("a swap that fails leaves the installed binary as it was, and removes the candidate", () => {
    const binary = join(dir, "missing-folder", "acoupi");
    const candidate = join(dir, ".acoupi.update-2");
    writeFileSync(candidate, "new");
    expect(() => swapInBinary(candidate, binary)).toThrow("the installed binary is unchanged");
    expect(existsSync(candidate)).toBe(false);
  });
});

describe("the update result", () => {
  test("a rollback is logged once and carried by one heartbeat status, after the status it joins", () => {
    const paths = acoupiPaths(dir);
    writeUpdateResult(paths, { outcome: "rolled_back", from: "1.0.0", to: "1.1.0", at: "2026-05-01T00:00:00Z", reason: "the new runner exited", keptAside: ["/x/metadata.db.rolled-back-1"] });
    expect(takeRollbackLogLine(paths)).toBe("The update to acoupi 1.1.0 rolled back to 1.0.0: the new runner exited; rows written since the snapshot are kept in /x/metadata.db.rolled-back-1");
    expect(takeRollbackLogLine(paths)).toBeNull();
    let base = "OK";
    const status = withRollbackNotice(() => base, paths);
    base = "recording_task failing: device gone";
    expect(status()).toBe("recording_task failing: device gone; update to acoupi 1.1.0 rolled back to 1.0.0: the new runner exited");
    expect(status()).toBe("recording_task failing: device gone");
    expect(readUpdateResult(paths)).toMatchObject({ logged: true, reported: true });
  });

  test("a successful update adds nothing to the heartbeat", () => {
    const paths = acoupiPaths(dir);
    writeUpdateResult(paths, { outcome: "updated", from: "1.0.0", to: "1.1.0", at: "2026-05-01T00:00:00Z" });
    expect(withRollbackNotice(() => "OK", paths)()).toBe("OK");
    expect(takeRollbackLogLine(paths)).toBeNull();
  });
});

describe("staged rollout", () => {
  test("a device's bucket is stable, and --percent 10 takes about a tenth of a fleet", () => {
    expect(rolloutBucket("sensor-07")).toBe(rolloutBucket("sensor-07"));
    const ids = Array.from({ length: 2000 }, (_, i) => `sensor-${i}`);
    const taken = ids.filter((id) => rolloutBucket(id) < 10).length;
    expect(taken).toBeGreaterThan(120);
    expect(taken).toBeLessThan(280);
    expect(ids.every((id) => rolloutBucket(id) >= 0 && rolloutBucket(id) < 100)).toBe(true);
  });
});
