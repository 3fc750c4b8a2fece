/**
 * The metadata database has one home for its SQL: src/components/stores/ holds its writer
 * (SqliteStore, the reviews, the uploader's rows) and its readers (queries/). This scans every
 * source file elsewhere for a SQL clause naming one of the metadata tables, so a query written in
 * the report, the page or a command fails here with its file and line. The outbox keeps its own
 * SQL in src/components/message-stores/ (other tables, another file).
 */
import { describe, expect, test } from "bun:test";
import { Glob } from "bun";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SRC = join(import.meta.dir, "..", "..", "..", "src");
const HOMES = ["components/stores/", "components/message-stores/"];
const TABLES = "deployments|recordings|model_outputs|detections|predicted_tags|uploads|detection_reviews|rule_decisions|path_roots";
/** An upper-case SQL clause followed by a metadata table (optionally schema-qualified), or a look-up of one in sqlite_master. */
const CLAUSE = new RegExp(`\\b(?:FROM|JOIN|INTO|UPDATE|TABLE(?: IF NOT EXISTS)?)\\s+(?:[a-z_]+\\.|\\$\\{[^}]+\\}\\.)?(?:${TABLES})\\b|sqlite_master[^\\n]*'(?:${TABLES})'|pragma_table_info\\('(?:${TABLES})'\\)|\\bDECISIONS_TABLE\\b`);

/** `file:line: text` for every line under `root` (outside the stores' folders) that holds metadata SQL. */
function strayMetadataSql(root: string): string[] {
  const hits: string[] = [];
  for (const path of new Glob("**/*.ts").scanSync({ cwd: root })) {
    if (HOMES.some((home) => path.startsWith(home))) continue;
    readFileSync(join(root, path), "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (CLAUSE.test(line)) hits.push(`${path}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
  }
  return hits;
}

describe("the metadata database's SQL", () => {
  test("is written only in the stores folder, beside the schema it reads", () => {
    expect(strayMetadataSql(SRC)).toEqual([]);
  });

  test("the scan names the file and line of a query written elsewhere, and leaves prose and the stores alone", () => {
    const root = mkdtempSync(join(tmpdir(), "acoupi-sql-home-"));
    try {
      mkdirSync(join(root, "web"), { recursive: true });
      mkdirSync(join(root, "components", "stores"), { recursive: true });
      const stray = ["/** The recordings from the last day, with their detections. */", "const a = 1;", 'const sql = "SELECT id FROM recordings WHERE path = ?";', "const join = `LEFT JOIN ${schema}.predicted_tags t ON t.id = d.id`;", "db.query(\"SELECT 1 FROM sqlite_master WHERE name = 'detection_reviews'\");"];
      writeFileSync(join(root, "web", "page.ts"), stray.join("\n"));
      writeFileSync(join(root, "components", "stores", "reader.ts"), 'const sql = "SELECT id FROM recordings";');
      expect(strayMetadataSql(root).map((hit) => hit.split(": ")[0])).toEqual(["web/page.ts:3", "web/page.ts:4", "web/page.ts:5"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
