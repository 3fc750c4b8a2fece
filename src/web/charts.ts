/**
 * @module The page's charts as server-rendered SVG (no script, no library, no CDN): a heat grid of
 * counts, rows by columns, that scales to the width of the screen (viewBox, width 100%). Each cell
 * carries its row, column and count as data attributes and a tooltip, so a person (or a test) can
 * read the exact figure. Used for a species' activity (hour of day × date), and on the main page
 * for detections per species per hour today and per day over 7 days. All text is escaped.
 */
import { esc } from "./html.ts";

export interface HeatGrid {
  /** Accessible name of the chart. */
  title: string;
  columns: readonly string[];
  rows: readonly string[];
  /** Count at (row, column). */
  count(row: number, column: number): number;
  /** Column tick text (null: no tick). */
  columnTick(column: number): string | null;
  /** Row label text. */
  rowLabel(row: number): string;
  /** The data-* names for the row and column values, e.g. "hour" and "date". */
  rowAttr: string;
  columnAttr: string;
  /** Extra escaped attributes on the <svg>. */
  id?: string;
}

const CELL = 14;
const GAP = 1;
const LEFT = 96;
const TOP = 4;
const BOTTOM = 16;
const MAX_LABEL = 15;

function shortLabel(text: string): string {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text;
}

export function heatGrid(g: HeatGrid): string {
  let max = 0;
  const counts: number[][] = g.rows.map((_, r) =>
    g.columns.map((_c, c) => {
      const n = g.count(r, c);
      if (n > max) max = n;
      return n;
    }),
  );
  const width = LEFT + g.columns.length * (CELL + GAP);
  const height = TOP + g.rows.length * (CELL + GAP) + BOTTOM;
  const parts: string[] = [];
  g.rows.forEach((row, r) => {
    const y = TOP + r * (CELL + GAP);
    parts.push(`<text x="${LEFT - 4}" y="${y + CELL - 3}" text-anchor="end" class="axis">${esc(shortLabel(g.rowLabel(r)))}</text>`);
    g.columns.forEach((column, c) => {
      const n = counts[r]?.[c] ?? 0;
      const x = LEFT + c * (CELL + GAP);
      const opacity = n === 0 ? 0 : 0.2 + 0.8 * (n / max);
      parts.push(
        `<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}" class="${n === 0 ? "cell empty" : "cell"}"${n === 0 ? "" : ` fill-opacity="${opacity.toFixed(2)}"`} ` +
          `data-${g.rowAttr}="${esc(row)}" data-${g.columnAttr}="${esc(column)}" data-count="${n}"><title>${esc(`${g.rowLabel(r)} · ${column}: ${n}`)}</title></rect>`,
      );
    });
  });
  g.columns.forEach((_, c) => {
    const tick = g.columnTick(c);
    if (tick !== null) parts.push(`<text x="${LEFT + c * (CELL + GAP) + CELL / 2}" y="${height - 4}" text-anchor="middle" class="axis">${esc(tick)}</text>`);
  });
  return `<svg class="chart"${g.id === undefined ? "" : ` id="${esc(g.id)}"`} role="img" aria-label="${esc(g.title)}" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width * 2}px" preserveAspectRatio="xMinYMin meet">${parts.join("")}</svg>`;
}
