/**
 * @module The overview page (`/`), server-rendered from DashboardData: health and its reasons,
 * the live input level (pushed by /live/level while the page is open, LIVE_SCRIPT; the newest
 * file's level until the first event), last and next recording, disk, outbox, detections per
 * species per hour today and a 7-day strip (SVG, charts.ts), the latest recordings (each with its
 * spectrogram and a player; "older" pages through all), the latest detections with verdict
 * buttons (review-section.ts), and the deployment and its configuration (secrets masked). Times
 * are in the deployment's zone, named in the header. It does not reload itself, so a recording
 * playing on a phone is not cut off.
 */
import { healthText } from "../status/status-report.ts";
import { heatGrid } from "./charts.ts";
import type { DashboardData } from "./dashboard-data.ts";
import { speciesHref } from "./detection-rows.ts";
import { ago, bytes, esc } from "./html.ts";
import { frame } from "./layout.ts";
import { recordingItem } from "./listing-pages.ts";
import { REVIEW_SCRIPT, reviewSection } from "./review-section.ts";
import { zoned, zonedParts } from "./time-zone.ts";

function row(name: string, value: string): string {
  return `<dt>${esc(name)}</dt><dd>${value}</dd>`;
}

function levelText(level: DashboardData["level"]): string {
  if (level === null) return "no recording yet";
  if (level.peak_dbfs === null) return "silence";
  return `peak ${level.peak_dbfs} dBFS, RMS ${level.rms_dbfs ?? "-∞"} dBFS`;
}

/** The level text and a meter over -60…0 dBFS; LIVE_SCRIPT keeps both current. */
function levelHtml(d: DashboardData): string {
  const peak = d.level?.peak_dbfs ?? -60;
  const width = Math.max(0, Math.min(100, Math.round(((peak + 60) / 60) * 100)));
  return `<span id="level" data-source="file">${esc(levelText(d.level))}</span><span class="meter"><span id="level-bar" style="width:${width}%"></span></span>`;
}

/** Listens to /live/level (server-sent events from the capture) while the page is open; the browser reconnects by itself. */
const LIVE_SCRIPT = `<script>
(function(){var t=document.getElementById("level"),b=document.getElementById("level-bar");if(!t||!window.EventSource){return}
var es=new EventSource("/live/level");es.onmessage=function(e){var l=JSON.parse(e.data);t.setAttribute("data-source","live");
t.textContent=l.peak_dbfs===null?"silence (live)":"peak "+l.peak_dbfs+" dBFS, RMS "+(l.rms_dbfs===null?"-\\u221e":l.rms_dbfs)+" dBFS (live)";
b.style.width=Math.max(0,Math.min(100,Math.round(((l.peak_dbfs===null?-60:l.peak_dbfs)+60)/60*100)))+"%"};
window.addEventListener("pagehide",function(){es.close()})})();
</script>`;

function healthSection(d: DashboardData): string {
  const s = d.status;
  const rows = [
    row("Health", `<span class="health ${esc(s.health)}" id="health">${esc(healthText(s))}</span>`),
    row("Program", esc(d.programName)),
    row("Runner", s.runner.running ? `running (pid ${s.runner.pid})` : "not running"),
    row("Last recording", d.lastRecording ? `${esc(zoned(d.lastRecording.created_on, d.zone))} (${esc(ago(d.lastRecording.created_on, d.now))})` : "none yet"),
    row("Next recording", d.nextRecording ? `≈ ${esc(zoned(d.nextRecording.toISOString(), d.zone))}` : "—"),
  ];
  rows.push(row("Input level", levelHtml(d)));
  if (d.disk) rows.push(row("Disk", `${esc(bytes(d.disk.freeBytes))} free of ${esc(bytes(d.disk.totalBytes))} <span class="meta">(${esc(d.disk.path)})</span>`));
  if (d.outbox) {
    const o = d.outbox;
    rows.push(row("Outbox", `${esc(o.pending ?? 0)} waiting, ${esc(o.delivered ?? 0)} delivered, ${esc(o.failed ?? 0)} failed`));
  }
  return `<section><h2>Status</h2><dl>${rows.join("")}</dl></section>`;
}

function recordingsSection(d: DashboardData): string {
  if (d.recordings.length === 0) return `<section><h2>Latest recordings</h2><p class="meta">No recordings yet.</p></section>`;
  return `<section><h2>Latest recordings</h2>${d.recordings.map((r) => recordingItem(r, d.zone)).join("")}<p><a class="older" href="/recordings">All recordings →</a></p></section>`;
}

function overviewSection(d: DashboardData): string {
  const o = d.overview;
  if (o.species.length === 0) return `<section><h2>Detections</h2><p class="meta">${o.complete ? "No detections in the last 7 days." : "Still counting the detections of the last days…"}</p></section>`;
  const today = o.days[o.days.length - 1] as string;
  const hours = Array.from({ length: 24 }, (_, h) => h);
  const nowHour = zonedParts(d.now.getTime(), d.zone).hour;
  const todayChart = heatGrid({
    title: "Detections per species per hour today",
    id: "today",
    rows: o.species,
    columns: hours.map(String),
    count: (s, h) => o.cells.get(`${o.species[s]}|${today}|${h}`) ?? 0,
    rowLabel: (s) => o.species[s] as string,
    columnTick: (h) => (h % 6 === 0 || h === nowHour ? String(h) : null),
    rowAttr: "species",
    columnAttr: "hour",
  });
  const perDay = (s: number, day: number) => hours.reduce((sum, h) => sum + (o.cells.get(`${o.species[s]}|${o.days[day]}|${h}`) ?? 0), 0);
  const week = heatGrid({
    title: "Detections per species per day, last 7 days",
    id: "week",
    rows: o.species,
    columns: o.days,
    count: perDay,
    rowLabel: (s) => o.species[s] as string,
    columnTick: (day) => (o.days[day] as string).slice(8),
    rowAttr: "species",
    columnAttr: "date",
  });
  const partial = o.complete ? "" : `<p class="meta">Still counting earlier detections: reload in a moment for the full charts.</p>`;
  const links = o.species.map((s) => `<a href="${esc(speciesHref(s))}">${esc(s)}</a>`).join(" · ");
  return `<section><h2>Today, per hour</h2>${partial}${todayChart}</section><section><h2>Last 7 days</h2>${week}<p class="species-links">${links}</p></section>`;
}

function deploymentSection(d: DashboardData): string {
  const dep = d.status.deployment;
  const rows = dep
    ? [
        row("Name", esc(dep.name)),
        row("State", dep.active ? "active" : "ended"),
        row("Started", esc(zoned(dep.started_on, d.zone))),
        ...(dep.latitude !== null ? [row("Location", `${esc(dep.latitude)}, ${esc(dep.longitude)}`)] : []),
        row("Id", esc(dep.id)),
      ]
    : [row("Deployment", "none")];
  return `<section><h2>Deployment</h2><dl>${rows.join("")}</dl><details><summary>Configuration (secrets masked)</summary><pre>${esc(JSON.stringify(d.config, null, 2))}</pre></details></section>`;
}

export function renderDashboard(d: DashboardData): string {
  const title = d.status.deployment ? `acoupi · ${d.status.deployment.name}` : "acoupi";
  return frame({
    title,
    zone: d.zone,
    zoneName: zonedParts(d.now.getTime(), d.zone).zoneName,
    current: "overview",
    body: `${healthSection(d)}${overviewSection(d)}${recordingsSection(d)}${reviewSection(d.detections, d.zone)}${deploymentSection(d)}`,
    scripts: `${LIVE_SCRIPT}${REVIEW_SCRIPT}`,
  });
}
