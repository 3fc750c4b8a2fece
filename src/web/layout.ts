/**
 * @module The frame every page shares: the document head (viewport for phones, the inline
 * stylesheet), a header with the deployment's name, the time zone the page's times are in, and
 * the navigation (overview, detections, recordings), and the page's scripts at the end. Also
 * the "older" link of the paged listings, which keeps the page's filters.
 */
import { esc } from "./html.ts";
import { STYLE } from "./style.ts";

export interface Frame {
  title: string;
  /** The time zone the page's times are in (shown in the header). */
  zone: string;
  /** The zone's abbreviation now (BST, CET, UTC). */
  zoneName: string;
  /** The navigation entry of this page. */
  current: "overview" | "detections" | "recordings" | "species";
  body: string;
  scripts?: string;
}

const NAV = [
  ["overview", "/", "Overview"],
  ["detections", "/detections", "Detections"],
  ["recordings", "/recordings", "Recordings"],
] as const;

export function frame(f: Frame): string {
  const nav = NAV.map(([key, href, text]) => `<a href="${href}"${key === f.current ? ' aria-current="page"' : ""}>${text}</a>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(f.title)}</title><style>${STYLE}</style></head>
<body><header><h1>${esc(f.title)}</h1><nav>${nav}</nav><div class="meta" id="zone">Times in ${esc(f.zone)} (${esc(f.zoneName)})</div></header>
<main>${f.body}</main>${f.scripts ?? ""}</body></html>`;
}

/** The link to the next (older) page of a listing: the same query with `before` set. */
export function olderLink(path: string, query: URLSearchParams, older: string | null): string {
  if (older === null) return `<p class="meta">No older entries.</p>`;
  const next = new URLSearchParams(query);
  next.set("before", older);
  next.delete("token");
  return `<p><a class="older" rel="next" href="${esc(`${path}?${next.toString()}`)}">Older →</a></p>`;
}
