/**
 * @module A species' page (/species/<label>): when it is active, hour of day × date over the last
 * ACTIVITY_DAYS local days (an SVG heat grid, charts.ts), its daily counts, its best-scoring
 * detections of that period and its latest ones, each to listen to. Days and hours are local to
 * the page's zone; counts come per UTC hour from one query and are placed in local cells.
 */
import type { Database } from "bun:sqlite";
import { heatGrid } from "./charts.ts";
import type { HourlyCounts } from "./hourly-counts.ts";
import { detectionList, type Neighbours } from "./detection-rows.ts";
import { esc } from "./html.ts";
import { BEST_POOL, bestDetections, detectionsPage } from "../components/stores/queries/page-queries.ts";
import { lastLocalDays, localDayStart, zonedParts } from "./time-zone.ts";

export const ACTIVITY_DAYS = 30;
const LATEST = 5;
const BEST = 5;

/** Detections of `label` (any label when null) per local date and hour since the first of `days`. */
export function localHourCounts(db: Database, counts: HourlyCounts, label: string | null, days: readonly string[], zone: string): Map<string, number> {
  const since = localDayStart(days[0] as string, zone);
  const cells = new Map<string, number>();
  counts.update(db);
  for (const { bucket, label: l, count } of counts.rows(since, label)) {
    const p = zonedParts(Date.parse(`${bucket}:00:00Z`), zone);
    const key = `${label === null ? `${l}|` : ""}${p.date}|${p.hour}`;
    cells.set(key, (cells.get(key) ?? 0) + count);
  }
  return cells;
}

export interface SpeciesPage {
  body: string;
}

export function speciesBody(db: Database, counts: HourlyCounts, species: string, zone: string, now: Date, neighbours: Neighbours): string {
  const days = lastLocalDays(now, zone, ACTIVITY_DAYS);
  const cells = localHourCounts(db, counts, species, days, zone);
  const hours = Array.from({ length: 24 }, (_, h) => String(h));
  const chart = heatGrid({
    title: `${species}: detections per hour of day over the last ${ACTIVITY_DAYS} days`,
    id: "activity",
    rows: hours,
    columns: days,
    count: (h, d) => cells.get(`${days[d]}|${h}`) ?? 0,
    rowLabel: (h) => `${String(h).padStart(2, "0")}:00`,
    columnTick: (d) => ((d % 7 === 0 && days.length - 1 - d >= 4) || d === days.length - 1 ? (days[d] as string).slice(5) : null),
    rowAttr: "hour",
    columnAttr: "date",
  });
  const perDay = days.map((day) => hours.reduce((sum, h) => sum + (cells.get(`${day}|${h}`) ?? 0), 0));
  const max = Math.max(1, ...perDay);
  const daily = days
    .map((day, i) => ({ day, n: perDay[i] as number }))
    .reverse()
    .map(({ day, n }) => `<tr data-date="${day}"><td>${day}</td><td><span class="bar" style="width:${Math.round((n / max) * 120)}px"></span>${n}</td></tr>`)
    .join("");
  const total = perDay.reduce((a, b) => a + b, 0);
  const since = localDayStart(days[0] as string, zone);
  const best = bestDetections(db, species, since, BEST);
  const latest = detectionsPage(db, { species, verdict: "any", limit: LATEST }).rows;
  const more = `<p><a href="/detections?species=${esc(encodeURIComponent(species))}">All detections of ${esc(species)} →</a></p>`;
  const partial = counts.complete ? "" : " Still counting earlier detections: reload in a moment for the full chart.";
  return `<section><h2>Activity</h2><p class="meta">${total} detections in the last ${ACTIVITY_DAYS} days; rows are hours of the day, columns are days.${partial}</p>${chart}</section>` +
    `<section id="review"><h2>Latest</h2><p class="meta" id="review-status" role="status"></p>${detectionList(latest, zone, neighbours, "No detections.")}${more}</section>` +
    `<section><h2>Best scoring (${ACTIVITY_DAYS} days)</h2>${best.capped ? `<p class="meta">Among the latest ${BEST_POOL} detections.</p>` : ""}${detectionList(best.rows, zone, neighbours, "None in this period.")}</section>` +
    `<section><h2>Per day</h2><table class="daily"><tr><th>Day</th><th>Detections</th></tr>${daily}</table></section>`;
}
