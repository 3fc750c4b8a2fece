/**
 * @module A detection as the page shows it, to listen to and to judge: its label (linking to the
 * species page) and score, its time in the page's zone, a short spectrogram around it with its
 * box (/detections/<id>/spectrogram.png), a player of just its clip (/detections/<id>/clip.wav),
 * its verdict and the verdict buttons (REVIEW_SCRIPT, review-section.ts). Where other detections
 * fall in the same clip, their labels are listed best score first, this one marked, so the best
 * label is always legible whatever overlaps on the image.
 */
import type { DetectionListRow } from "../components/stores/queries/listings.ts";
import { clipSpan } from "./clip.ts";
import { esc } from "./html.ts";
import { zoned } from "./time-zone.ts";

/** The labels in a detection's clip: this one and those overlapping its span, best first. */
export type Neighbours = (row: DetectionListRow) => readonly DetectionListRow[];

function verdictText(row: DetectionListRow): string {
  if (row.verdict === null) return "not reviewed";
  return row.verdict_species === null ? row.verdict : `${row.verdict} (${row.verdict_species})`;
}

export function speciesHref(label: string): string {
  return `/species/${encodeURIComponent(label)}`;
}

function labelsInClip(row: DetectionListRow, neighbours: Neighbours): string {
  const span = clipSpan(row);
  const inClip = neighbours(row)
    .filter((n) => n.detection_id === row.detection_id || ((n.start_time_s ?? 0) < span.end && (n.end_time_s ?? row.duration_s) > span.start))
    .sort((a, b) => b.score - a.score);
  if (inClip.length <= 1) return "";
  const items = inClip.map((n) => {
    const text = `${esc(n.label ?? n.model)} ${esc(n.score.toFixed(2))}`;
    return n.detection_id === row.detection_id ? `<li><strong>${text}</strong></li>` : `<li>${text}</li>`;
  });
  return `<ol class="labels" title="Labels in this clip, best score first">${items.join("")}</ol>`;
}

export function detectionRow(row: DetectionListRow, zone: string, neighbours: Neighbours): string {
  const id = esc(row.detection_id);
  const label = row.label ?? row.model;
  const span = clipSpan(row);
  const playable = row.path !== null && !["discarded", "missing", "purged"].includes(row.recording_state);
  const media = playable
    ? `<img src="/detections/${id}/spectrogram.png" alt="Spectrogram around the detection" width="854" height="300" loading="lazy">` +
      `<audio controls preload="none" src="/detections/${id}/clip.wav"></audio>`
    : `<p class="meta">The recording is no longer on disk (${esc(row.recording_state)}).</p>`;
  const buttons = ["correct", "false", "uncertain"].map((v) => `<button type="button" data-verdict="${v}">${v}</button>`).join(" ");
  return `<article class="det" data-detection="${id}" data-recording="${esc(row.recording_id)}">` +
    `<div><a href="${esc(speciesHref(label))}" class="label">${esc(label)}</a> <span class="score">${esc(row.score.toFixed(2))}</span></div>` +
    `<div class="meta">${esc(zoned(row.created_on, zone))} · ${esc(span.start.toFixed(1))}–${esc(span.end.toFixed(1))} s · ${esc(row.deployment_name)}</div>` +
    `${media}${labelsInClip(row, neighbours)}<div class="review"><span class="verdict">${esc(verdictText(row))}</span> ${buttons}</div></article>`;
}

export function detectionList(rows: readonly DetectionListRow[], zone: string, neighbours: Neighbours, empty: string): string {
  if (rows.length === 0) return `<p class="meta">${esc(empty)}</p>`;
  return rows.map((r) => detectionRow(r, zone, neighbours)).join("");
}
