/**
 * @module The dashboard page, server-rendered from DashboardData into one HTML document with its
 * stylesheet inline and one small inline script (it polls /level for the input level): health
 * and its reasons, the input level, last and next recording, disk, outbox,
 * the latest recordings (each with its spectrogram image and an `<audio>` player), detections per
 * label today and over the last 7 days, the latest detections with verdict buttons
 * (review-section.ts), and the deployment and its configuration (secrets
 * masked). It does not refresh itself, so a recording playing on a phone is not cut off.
 */
import { healthText } from "../system/status-report.ts";
import type { DashboardData } from "./dashboard-data.ts";
import { ago, bytes, esc, utc } from "./html.ts";
import { REVIEW_SCRIPT, reviewSection } from "./review-section.ts";
import { STYLE } from "./style.ts";

function row(name: string, value: string): string {
  return `<dt>${esc(name)}</dt><dd>${value}</dd>`;
}

function levelText(level: DashboardData["level"]): string {
  if (level === null) return "no recording yet";
  if (level.peak_dbfs === null) return "silence";
  return `peak ${level.peak_dbfs} dBFS, RMS ${level.rms_dbfs ?? "-∞"} dBFS`;
}

/** The level text and a meter over -60…0 dBFS; LEVEL_SCRIPT keeps both current. */
function levelHtml(d: DashboardData): string {
  const peak = d.level?.peak_dbfs ?? -60;
  const width = Math.max(0, Math.min(100, Math.round(((peak + 60) / 60) * 100)));
  return `<span id="level">${esc(levelText(d.level))}</span><span class="meter"><span id="level-bar" style="width:${width}%"></span></span>`;
}

/** Polls /level every 3 s while the page is open, so the level follows the recordings. */
const LEVEL_SCRIPT = `<script>
(function(){var t=document.getElementById("level"),b=document.getElementById("level-bar");
setInterval(function(){fetch("/level",{cache:"no-store"}).then(function(r){return r.ok?r.json():null}).then(function(l){
if(!l){return}t.textContent=l.peak_dbfs===null?"silence":"peak "+l.peak_dbfs+" dBFS, RMS "+(l.rms_dbfs===null?"-\u221e":l.rms_dbfs)+" dBFS";
b.style.width=Math.max(0,Math.min(100,Math.round(((l.peak_dbfs===null?-60:l.peak_dbfs)+60)/60*100)))+"%"}).catch(function(){})},3000)})();
</script>`;

function healthSection(d: DashboardData): string {
  const s = d.status;
  const rows = [
    row("Health", `<span class="health ${esc(s.health)}" id="health">${esc(healthText(s))}</span>`),
    row("Program", esc(d.programName)),
    row("Runner", s.runner.running ? `running (pid ${s.runner.pid})` : "not running"),
    row("Last recording", d.lastRecording ? `${esc(utc(d.lastRecording.created_on))} (${esc(ago(d.lastRecording.created_on, d.now))})` : "none yet"),
    row("Next recording", d.nextRecording ? `≈ ${esc(utc(d.nextRecording.toISOString()))}` : "—"),
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
  const items = d.recordings.map((r) => {
    const facts = `${esc(utc(r.created_on))} · ${esc(r.duration_s)} s · ${esc(r.samplerate_hz / 1000)} kHz · ${esc(r.detections)} detections · ${esc(r.state)}`;
    const media = r.playable
      ? `<img src="/recordings/${esc(r.id)}/spectrogram.png" alt="Spectrogram of the recording of ${esc(utc(r.created_on))}" width="854" height="300" loading="lazy">` +
        `<audio controls preload="metadata" src="/recordings/${esc(r.id)}/audio.wav"></audio>`
      : `<p class="meta">The file is no longer on disk (${esc(r.state)}).</p>`;
    return `<div class="rec" data-recording="${esc(r.id)}"><div class="meta">${facts}</div>${media}</div>`;
  });
  return `<section><h2>Latest recordings</h2>${items.join("")}</section>`;
}

function detectionsSection(d: DashboardData): string {
  if (d.labels.length === 0) return `<section><h2>Detections</h2><p class="meta">No detections in the last 7 days.</p></section>`;
  const max = Math.max(1, ...d.labels.map((l) => l.week));
  const head = `<tr><th>Label</th><th>Today</th><th>7 days</th>${d.days.map((day) => `<th>${esc(day.slice(5))}</th>`).join("")}</tr>`;
  const body = d.labels
    .map(
      (l) =>
        `<tr><td>${esc(l.common_name === null ? l.label : `${l.common_name} (${l.label})`)}</td><td>${l.today}</td><td><span class="bar" style="width:${Math.round((l.week / max) * 60)}px"></span>${l.week}</td>` +
        `${l.perDay.map((n) => `<td>${n}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<section><h2>Detections per label (UTC days)</h2><div style="overflow-x:auto"><table>${head}${body}</table></div></section>`;
}

function deploymentSection(d: DashboardData): string {
  const dep = d.status.deployment;
  const rows = dep
    ? [
        row("Name", esc(dep.name)),
        row("State", dep.active ? "active" : "ended"),
        row("Started", esc(utc(dep.started_on))),
        ...(dep.latitude !== null ? [row("Location", `${esc(dep.latitude)}, ${esc(dep.longitude)}`)] : []),
        row("Id", esc(dep.id)),
      ]
    : [row("Deployment", "none")];
  return `<section><h2>Deployment</h2><dl>${rows.join("")}</dl><details><summary>Configuration (secrets masked)</summary><pre>${esc(JSON.stringify(d.config, null, 2))}</pre></details></section>`;
}

export function renderDashboard(d: DashboardData): string {
  const title = d.status.deployment ? `acoupi · ${d.status.deployment.name}` : "acoupi";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><h1>${esc(title)}</h1><div class="meta">Page made ${esc(utc(d.now.toISOString()))}</div></header>
<main>${healthSection(d)}${recordingsSection(d)}${detectionsSection(d)}${reviewSection(d.detections)}${deploymentSection(d)}</main>${LEVEL_SCRIPT}${REVIEW_SCRIPT}</body></html>`;
}
