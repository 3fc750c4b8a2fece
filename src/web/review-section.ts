/**
 * @module The page's latest detections, each with its verdict and three buttons (correct, false,
 * uncertain) that POST to /detections/<id>/review (review-route.ts). The buttons need the token,
 * also on loopback: the script takes it from the page's `?token=` (what `acoupi web url --token`
 * prints), keeps it for the tab in sessionStorage, and sends it in the X-Acoupi-Token header;
 * without it, a click says how to get it. The full listen-and-look view comes with the page's own
 * issue; this is the smallest listing that lets a person set a verdict from the field.
 */
import type { DetectionListRow } from "../components/stores/queries/listings.ts";
import { esc } from "./html.ts";
import { zoned } from "./time-zone.ts";

export const LATEST_DETECTIONS = 10;

function verdictText(row: DetectionListRow): string {
  if (row.verdict === null) return "not reviewed";
  return row.verdict_species === null ? row.verdict : `${row.verdict} (${row.verdict_species})`;
}

export function reviewSection(rows: readonly DetectionListRow[], zone = "UTC"): string {
  if (rows.length === 0) return `<section id="review"><h2>Latest detections</h2><p class="meta">No detections yet.</p></section>`;
  const body = rows
    .map(
      (r) =>
        `<tr data-detection="${esc(r.detection_id)}"><td>${esc(r.label ?? r.model)}</td><td>${esc(r.score.toFixed(2))}</td><td>${esc(zoned(r.created_on, zone))}</td>` +
        `<td class="verdict">${esc(verdictText(r))}</td><td class="verdict-buttons">` +
        ["correct", "false", "uncertain"].map((v) => `<button type="button" data-verdict="${v}">${v}</button>`).join(" ") +
        `</td></tr>`,
    )
    .join("");
  return `<section id="review"><h2>Latest detections</h2><p class="meta" id="review-status" role="status"></p><p><a href="/detections">All detections, to listen to →</a></p><div class="scroll"><table>` +
    `<tr><th>Label</th><th>Score</th><th>Recorded</th><th>Verdict</th><th></th></tr>${body}</table></div></section>`;
}

/** Sends a clicked verdict with the token from `?token=` or this tab's sessionStorage. */
export const REVIEW_SCRIPT = `<script>
(function(){var q=new URLSearchParams(location.search).get("token");if(q){sessionStorage.setItem("acoupi_token",q)}
var s=document.getElementById("review-status")||{};
document.addEventListener("click",function(e){var b=e.target;if(!b||!b.getAttribute||!b.getAttribute("data-verdict")){return}
var row=b.closest("[data-detection]");if(!row){return}var token=sessionStorage.getItem("acoupi_token");
if(!token){s.textContent="Setting a verdict needs the token: open the address that \\u0060acoupi web url --token\\u0060 prints";return}
fetch("/detections/"+row.getAttribute("data-detection")+"/review",{method:"POST",headers:{"content-type":"application/json","x-acoupi-token":token},body:JSON.stringify({verdict:b.getAttribute("data-verdict")})})
.then(function(r){if(!r.ok){return r.text().then(function(m){throw new Error(m)})}return r.json()})
.then(function(v){row.querySelector(".verdict").textContent=v.verdict+(v.species?" ("+v.species+")":"");s.textContent="Saved"})
.catch(function(err){s.textContent="Not saved: "+err.message})})})();
</script>`;
