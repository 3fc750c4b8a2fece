/**
 * @module A plain text table for the listings: a header, a rule and left-aligned columns (numbers
 * right-aligned), padded to the widest cell. The rows are collected first, so listings cap them
 * (`--limit`, default 50); `--json` streams instead.
 */

export interface Column<Row> {
  title: string;
  value: (row: Row) => string;
  align?: "left" | "right";
}

/**
 * `below`, when given, prints a line under each row, indented, outside the columns: long values
 * (an id and a path) there keep the table within a 100-column terminal.
 */
export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[], below?: (row: Row) => string): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => (r[i] ?? "").length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (columns[i]?.align === "right" ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  const body = cells.flatMap((r, i) => (below === undefined ? [line(r)] : [line(r), `  ${below(rows[i] as Row)}`.trimEnd()]));
  const out = [line(columns.map((c) => c.title)), line(widths.map((w) => "-".repeat(w))), ...body];
  return `${out.join("\n")}\n`;
}

/** Seconds with up to 3 decimals, without trailing zeros. */
export function seconds(value: number | null): string {
  return value === null ? "" : String(Math.round(value * 1000) / 1000);
}

/** A stored UTC time shown to the second: `2024-05-01 06:00:03Z`. */
export function shortTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}
