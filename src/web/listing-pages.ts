/**
 * @module The paged listings: /detections (newest first, filtered by species, minimum score,
 * local day and verdict, with a GET form that works without script) and /recordings (each with
 * its spectrogram and a player), both with "Older →" through everything the database holds.
 */
import type { DetectionListRow, RecordingListRow } from "../components/stores/queries/listings.ts";
import { detectionList, type Neighbours } from "./detection-rows.ts";
import { esc } from "./html.ts";
import { olderLink } from "./layout.ts";
import { VERDICT_FILTERS, type Page } from "../components/stores/queries/page-queries.ts";
import { zoned } from "./time-zone.ts";

export interface DetectionFilterValues {
  species: string;
  min_score: string;
  date: string;
  verdict: string;
}

function filterForm(v: DetectionFilterValues, species: readonly string[]): string {
  const options = species.map((s) => `<option value="${esc(s)}">`).join("");
  const verdicts = VERDICT_FILTERS.map((x) => `<option value="${x}"${x === v.verdict ? " selected" : ""}>${x === "none" ? "not reviewed" : x}</option>`).join("");
  return `<form class="filters" method="get" action="/detections">` +
    `<label>Species <input name="species" list="species-list" value="${esc(v.species)}"></label><datalist id="species-list">${options}</datalist>` +
    `<label>Score ≥ <input name="min_score" type="number" min="0" max="1" step="0.05" value="${esc(v.min_score)}"></label>` +
    `<label>Day <input name="date" type="date" value="${esc(v.date)}"></label>` +
    `<label>Verdict <select name="verdict">${verdicts}</select></label><button type="submit">Filter</button></form>`;
}

export function detectionsBody(page: Page<DetectionListRow>, values: DetectionFilterValues, species: readonly string[], zone: string, neighbours: Neighbours, query: URLSearchParams): string {
  return `<section id="review"><h2>Detections</h2>${filterForm(values, species)}<p class="meta" id="review-status" role="status"></p>` +
    `${detectionList(page.rows, zone, neighbours, "No detections match.")}${olderLink("/detections", query, page.older)}</section>`;
}

export function recordingItem(r: RecordingListRow & { playable: boolean }, zone: string): string {
  const facts = `${esc(zoned(r.created_on, zone))} · ${esc(r.duration_s)} s · ${esc(r.samplerate_hz / 1000)} kHz · ${esc(r.detections)} detections · ${esc(r.state)}`;
  const media = r.playable
    ? `<img src="/recordings/${esc(r.id)}/spectrogram.png" alt="Spectrogram of the recording of ${esc(zoned(r.created_on, zone))}" width="854" height="300" loading="lazy">` +
      `<audio controls preload="metadata" src="/recordings/${esc(r.id)}/audio.wav"></audio>`
    : `<p class="meta">The file is no longer on disk (${esc(r.state)}).</p>`;
  return `<div class="rec" data-recording="${esc(r.id)}"><div class="meta">${facts}</div>${media}</div>`;
}

export function recordingsBody(page: Page<RecordingListRow & { playable: boolean }>, zone: string, query: URLSearchParams): string {
  const items = page.rows.length === 0 ? `<p class="meta">No recordings.</p>` : page.rows.map((r) => recordingItem(r, zone)).join("");
  return `<section><h2>Recordings</h2>${items}${olderLink("/recordings", query, page.older)}</section>`;
}
