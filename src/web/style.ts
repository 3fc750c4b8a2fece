/**
 * @module The page's stylesheet, embedded in the HTML (no CDN, no asset files): readable on a
 * phone held at arm's length in the field, light and dark by the device's preference. Phone
 * first: nothing is wider than the screen from 360 px up (grid items may shrink, images and
 * charts scale to the width, wide tables scroll inside their card, long words wrap).
 */
export const STYLE = `
:root{color-scheme:light dark;--fg:#1d1d1f;--bg:#fafafa;--card:#fff;--muted:#6b6b70;--ok:#1f7a3a;--bad:#b3261e;--bar:#3a6ea5;--line:#e2e2e6}
@media (prefers-color-scheme:dark){:root{--fg:#eee;--bg:#141416;--card:#1e1e22;--muted:#a0a0a8;--ok:#5cc27a;--bad:#ff7b72;--bar:#6ea8e0;--line:#33333a}}
*{box-sizing:border-box}body{margin:0;font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:12px 16px;border-bottom:1px solid var(--line)}h1{font-size:1.2rem;margin:0}h2{font-size:1.05rem;margin:0 0 8px}
main{padding:12px;display:grid;gap:12px;max-width:960px;margin:auto}section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px}
.health{font-weight:600}.health.ok{color:var(--ok)}.health.degraded,.health.stopped{color:var(--bad)}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0}dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
.rec{border-top:1px solid var(--line);padding:10px 0}.rec:first-of-type{border-top:0}.rec img{width:100%;height:auto;display:block;border-radius:4px;background:#000}
.rec audio{width:100%;margin-top:6px}.meta{color:var(--muted);font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}.scroll table{width:auto;min-width:100%}th,td{padding:3px 4px;text-align:right;border-bottom:1px solid var(--line)}th:first-child,td:first-child{text-align:left}
.bar{display:inline-block;height:.7em;background:var(--bar);border-radius:2px;vertical-align:middle;margin-right:4px}
.meter{display:inline-block;width:80px;height:.6em;margin-left:8px;background:var(--line);border-radius:3px;vertical-align:middle;overflow:hidden}.meter span{display:block;height:100%;background:var(--ok)}
pre{overflow:auto;font-size:.8rem;margin:0;max-width:100%}details summary{cursor:pointer}
html,body{overflow-wrap:anywhere}main>*,section,dl>*{min-width:0}img,svg,audio,video{max-width:100%}
nav{display:flex;flex-wrap:wrap;gap:4px 14px;margin:6px 0 2px}nav a{color:var(--bar);text-decoration:none;font-weight:600}nav a[aria-current]{text-decoration:underline}
a{color:var(--bar)}.scroll{overflow-x:auto;max-width:100%}
.det{border-top:1px solid var(--line);padding:10px 0}.det:first-of-type{border-top:0}.det img{width:100%;height:auto;display:block;border-radius:4px;background:#000;margin-top:4px}
.det audio{width:100%;margin-top:6px}.det .label{font-weight:600}.det .score{color:var(--muted)}.review{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-top:6px}
.review .verdict{color:var(--muted);margin-right:auto}button{font:inherit;padding:4px 10px;border-radius:6px;border:1px solid var(--line);background:var(--card);color:var(--fg)}
.labels{margin:6px 0 0;padding-left:1.4em;font-size:.9rem}
.filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:end;margin-bottom:8px}.filters label{display:flex;flex-direction:column;font-size:.85rem;color:var(--muted)}
.filters input,.filters select{font:inherit;max-width:11em;padding:3px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg)}
.chart{display:block;height:auto}.chart .cell{fill:var(--bar)}.chart .cell.empty{fill:var(--line)}.chart .axis{font-size:9px;fill:var(--muted)}
.scroll th,.scroll td{overflow-wrap:normal;white-space:nowrap}.scroll td:first-child{white-space:normal;overflow-wrap:anywhere;min-width:7em}.daily td{padding:1px 4px}.species-links{font-size:.9rem}
`;
