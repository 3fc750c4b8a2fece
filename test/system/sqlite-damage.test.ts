import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attachSqlite, DamagedDatabaseError, openSqlite, openSqliteRecovering } from "../../src/system/sqlite.ts";

const MIGRATIONS = ["CREATE TABLE {schema}.t (x TEXT)"];
const dir = mkdtempSync(join(tmpdir(), "acoupi-sqlite-damage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database of a few hundred pages, checkpointed into its one file. */
function filledDatabase(name: string): string {
  const path = join(dir, name);
  const db = openSqlite(path, { label: "test store", migrations: MIGRATIONS });
  const insert = db.prepare("INSERT INTO t (x) VALUES (?)");
  db.transaction(() => {
    for (let i = 0; i < 3000; i++) insert.run("x".repeat(300));
  })();
  insert.finalize();
  db.close();
  expect(existsSync(`${path}-wal`)).toBe(false);
  return path;
}

describe("damaged SQLite files", () => {
  test("a file of garbage is a DamagedDatabaseError naming the file, with a help line, and is left untouched", () => {
    const path = join(dir, "garbage.db");
    writeFileSync(path, Buffer.alloc(8192, "garbage "));
    const before = readFileSync(path);
    const error = (() => {
      try {
        openSqlite(path, { label: "test store", migrations: MIGRATIONS });
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(DamagedDatabaseError);
    expect((error as Error).message).toBe(`The test store "${path}" is damaged: file is not a database`);
    expect((error as DamagedDatabaseError).help).toContain("moves a damaged database aside");
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  test("a truncated file is moved aside with a UTC timestamp and a fresh, working database takes its place", () => {
    const path = filledDatabase("truncated.db");
    truncateSync(path, Math.floor(readFileSync(path).byteLength / 2));
    const half = readFileSync(path);
    const opened = openSqliteRecovering(path, { label: "test store", migrations: MIGRATIONS });
    try {
      expect(opened.movedTo).toMatch(/truncated\.db\.corrupt-\d{8}T\d{6}Z$/);
      expect(opened.damage).toContain(`The test store "${path}" is damaged`);
      expect(readFileSync(opened.movedTo as string).equals(half)).toBe(true);
      opened.db.run("INSERT INTO t (x) VALUES ('fresh')");
      expect(opened.db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM t").get()?.n).toBe(1);
    } finally {
      opened.db.close();
    }
    expect(readdirSync(dir).filter((n) => n.startsWith("truncated.db.corrupt-"))).toHaveLength(1);
  });

  test("a sound file opens as it is", () => {
    const path = filledDatabase("sound.db");
    const opened = openSqliteRecovering(path, { label: "test store", migrations: MIGRATIONS });
    expect(opened.movedTo).toBeNull();
    expect(opened.db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM t").get()?.n).toBe(3000);
    opened.db.close();
  });

  test("attaching a damaged file is a DamagedDatabaseError naming it", () => {
    const path = join(dir, "attached.db");
    writeFileSync(path, Buffer.alloc(8192, "garbage "));
    const db = new Database(":memory:");
    expect(() => attachSqlite(db, path, "outbox", { label: "message store", migrations: MIGRATIONS })).toThrow(`The message store "${path}" is damaged`);
    db.close();
  });
});
