/**
 * `acoupi backup --out DIR`, run as the real command against a set-up sensor: the fixed layout
 * with a manifest `sha256sum -c` accepts, rows that are still only in the write-ahead log,
 * incremental runs, a run killed mid-copy, destinations that are refused by name, and a copy that
 * works on its own once moved elsewhere.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SqliteStore } from "../../../src/components/stores/sqlite-store.ts";
import { acoupiCommand, makeTempHome, REPO, runAcoupi, type TempHome } from "../../helpers/cli.ts";
import { MEADOW, RECORDING_IDS } from "../../helpers/fixture-db.ts";
import { makeSensor, sha256Check, type Sensor } from "../../helpers/backup-sensor.ts";

let sensor: Sensor | null = null;
const homes: TempHome[] = [];
afterEach(() => {
  sensor?.home.cleanup();
  sensor = null;
  for (const h of homes.splice(0)) h.cleanup();
});

function count(db: string, sql: string): number {
  const conn = new Database(db, { readonly: true });
  try {
    return (conn.query(sql).get() as { n: number }).n;
  } finally {
    conn.close();
  }
}

describe("acoupi backup", () => {
  test("writes metadata.db, recordings/… and a SHA256SUMS that sha256sum -c accepts, and a second run copies only what is new", () => {
    sensor = makeSensor();
    const out = join(sensor.home.home, "stick");
    const first = sensor.acoupi(["backup", "--out", out]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain("5 new recordings");
    expect(readdirSync(out).sort()).toEqual(["SHA256SUMS", "metadata.db", "recordings"]);
    expect(existsSync(join(out, "metadata.db-wal"))).toBe(false);
    const check = sha256Check(out);
    expect(check.code, check.output).toBe(0);
    expect(check.output.match(/: OK/g)?.length).toBe(6);
    // The copy stores paths relative to its recordings folder.
    const rows = new Database(join(out, "metadata.db"), { readonly: true }).query("SELECT DISTINCT path_root FROM recordings").all();
    expect(rows).toEqual([{ path_root: "recordings" }]);

    const again = sensor.acoupi(["backup", "--out", out]);
    expect(again.stdout).toContain("0 new recordings");
    expect(again.stdout).toContain("5 already there");
    writeFileSync(join(sensor.recordings, "2024/05/02/late.wav"), readFileSync(join(sensor.recordings, "2024/05/02/rec4.wav")));
    const third = sensor.acoupi(["backup", "--out", out]);
    expect(third.stdout).toContain("1 new recordings");
    expect(sha256Check(out).output.match(/: OK/g)?.length).toBe(7);
  }, 60_000);

  test("holds rows that another process committed but SQLite has only in the -wal file, which a file copy misses", () => {
    sensor = makeSensor();
    const db = join(sensor.storages, "metadata.db");
    const roots = { recordings: sensor.recordings, tmp: join(sensor.home.acoupiHome, "tmp") };
    const live = new SqliteStore({ db_metadata: db }, { roots });
    try {
      live.connection.run("PRAGMA wal_checkpoint(TRUNCATE)");
      live.connection.run("PRAGMA wal_autocheckpoint = 0");
      const before = count(db, "SELECT count(*) AS n FROM recordings");
      for (let i = 0; i < 14; i++) {
        live.storeRecording({ ...sensor.fixture.recordings[0]!, id: crypto.randomUUID(), path: join(roots.tmp, `r${i}.wav`), deployment: MEADOW });
      }
      expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);
      const naive = join(sensor.home.home, "naive.db");
      copyFileSync(db, naive);
      expect(count(naive, "SELECT count(*) AS n FROM recordings")).toBe(before);

      const out = join(sensor.home.home, "stick");
      const result = sensor.acoupi(["backup", "--out", out]);
      expect(result.code, result.stderr).toBe(0);
      expect(count(join(out, "metadata.db"), "SELECT count(*) AS n FROM recordings")).toBe(before + 14);
      expect(count(join(out, "metadata.db"), "SELECT count(*) AS n FROM recordings WHERE path_root = 'tmp'")).toBe(14);
    } finally {
      live.close();
    }
  }, 60_000);

  test("the backup moved to another folder serves recordings, detections, export --format raven and spectrogram ID with no set-up", () => {
    sensor = makeSensor();
    const out = join(sensor.home.home, "stick");
    expect(sensor.acoupi(["backup", "--out", out]).code).toBe(0);
    const laptop = makeTempHome("acoupi-laptop-");
    homes.push(laptop);
    const moved = join(laptop.home, "field-2024");
    renameSync(out, moved);
    sensor.home.cleanup(); // the sensor is gone: nothing may point back at it
    const db = join(moved, "metadata.db");
    const listed = runAcoupi(["recordings", "--json", "--db", db], laptop.env);
    expect(listed.code, listed.stderr).toBe(0);
    const paths = listed.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { path: string }).path);
    expect(paths).toContain(join(moved, "recordings/2024/05/01/rec1.wav"));
    for (const p of paths) expect(p.startsWith(moved)).toBe(true);

    const detections = runAcoupi(["detections", "--db", db], laptop.env);
    expect(detections.code, detections.stderr).toBe(0);
    expect(detections.stdout).toContain("Strix aluco");

    const tables = join(laptop.home, "tables");
    const exported = runAcoupi(["export", "--format", "raven", "--combined", "--out", tables, "--db", db], laptop.env);
    expect(exported.code, exported.stderr).toBe(0);
    const table = readFileSync(join(tables, "detections.selections.txt"), "utf8").trim().split("\n");
    const beginPath = table[0]!.split("\t").indexOf("Begin Path");
    expect(table.slice(1).map((l) => l.split("\t")[beginPath])).toContain("2024/05/01/rec1.wav");

    const png = join(laptop.home, "rec1.png");
    const drawn = runAcoupi(["spectrogram", RECORDING_IDS[0]!, "--out", png, "--db", db], laptop.env);
    expect(drawn.code, drawn.stderr).toBe(0);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
  }, 60_000);

  test("refuses --out at a file, at ACOUPI_HOME and inside the recordings folder, by name, writing nothing", () => {
    sensor = makeSensor();
    const file = join(sensor.home.home, "a-file");
    writeFileSync(file, "x");
    const atFile = sensor.acoupi(["backup", "--out", file]);
    expect(atFile.code).not.toBe(0);
    expect(atFile.stderr).toContain(`"${file}": it is a file`);
    const atHome = sensor.acoupi(["backup", "--out", sensor.home.acoupiHome]);
    expect(atHome.code).not.toBe(0);
    expect(atHome.stderr).toContain("inside the live data folder ACOUPI_HOME");
    const inside = join(sensor.recordings, "backup");
    const inRecordings = sensor.acoupi(["backup", "--out", inside]);
    expect(inRecordings.code).not.toBe(0);
    expect(inRecordings.stderr).toMatch(/inside the live data folder (ACOUPI_HOME|paths\.recordings)/);
    expect(existsSync(inside)).toBe(false);
    expect(readFileSync(file, "utf8")).toBe("x");
  }, 60_000);

  test("a run killed mid-copy leaves no half file under a final name, and the next run finishes the job", async () => {
    sensor = makeSensor();
    const big = join(sensor.recordings, "2024/05/03/big.wav");
    Bun.spawnSync(["mkdir", "-p", join(sensor.recordings, "2024/05/03")]);
    writeFileSync(big, Buffer.alloc(6 << 20, 7));
    const out = join(sensor.home.home, "stick");
    const proc = Bun.spawn([...acoupiCommand(), "backup", "--out", out, "--max-rate", "1M"], { env: { ...process.env, ...sensor.home.env }, cwd: REPO, stdout: "pipe", stderr: "pipe" });
    const partial = join(out, "recordings/2024/05/03/.big.wav.partial");
    for (let i = 0; i < 400 && !(existsSync(partial) && statSync(partial).size > 0); i++) await Bun.sleep(25);
    expect(existsSync(partial)).toBe(true);
    proc.kill("SIGKILL");
    await proc.exited;
    expect(existsSync(join(out, "recordings/2024/05/03/big.wav"))).toBe(false);
    expect(existsSync(join(out, "metadata.db"))).toBe(false);
    expect(existsSync(join(out, "SHA256SUMS"))).toBe(false);

    const again = sensor.acoupi(["backup", "--out", out, "--max-rate", "0"]);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(partial)).toBe(false);
    expect(statSync(join(out, "recordings/2024/05/03/big.wav")).size).toBe(6 << 20);
    const check = sha256Check(out);
    expect(check.code, check.output).toBe(0);
    expect(readdirSync(out).filter((n) => n.includes("partial"))).toEqual([]);
  }, 60_000);
});
