/**
 * @module The interactive pass of `acoupi review --label X`: the unreviewed detections of one
 * label, oldest first, one at a time. For each it prints the clip (file, time span, frequency
 * band, score) and the `acoupi spectrogram` command that draws it, and reads one line: `c`, `f`
 * or `u` (optionally followed by the species it really was, and `# a note`), `s` to skip, `q` to
 * stop. Each verdict is written at once, so stopping half way keeps what was said. It plays
 * nothing: the sensor may have no speaker, and the clip path is what a person opens elsewhere.
 */
import { createInterface } from "node:readline";
import { ConfigError } from "../../errors.ts";
import { iterateDetections, type DetectionListRow } from "../../components/stores/queries/listings.ts";
import type { PathRoots } from "../../components/stores/_paths.ts";
import { openMetadataForReview, setReview, type Verdict } from "../../components/stores/reviews.ts";
import { seconds, shortTime } from "../../report/table.ts";
import { terminalSafe } from "../terminal-text.ts";

const LETTERS: Record<string, Verdict> = { c: "correct", f: "false", u: "uncertain" };
const MARGIN_S = 0.5;

export interface Answer {
  action: "verdict" | "skip" | "quit";
  verdict?: Verdict;
  species?: string;
  note?: string;
}

/** Parses one answer line (`c`, `f Strix aluco # wind`, `s`, `q`); null when it is none of those. */
export function parseAnswer(line: string): Answer | null {
  const [head = "", ...noteParts] = line.split("#");
  const note = noteParts.join("#").trim();
  const words = head.trim().split(/\s+/).filter((w) => w !== "");
  const key = (words[0] ?? "").toLowerCase();
  if (key === "s" || key === "skip") return { action: "skip" };
  if (key === "q" || key === "quit") return { action: "quit" };
  const verdict = LETTERS[key[0] ?? ""];
  if (verdict === undefined || !(key.length === 1 || key === verdict)) return null;
  const species = words.slice(1).join(" ");
  return { action: "verdict", verdict, ...(species !== "" ? { species } : {}), ...(note !== "" ? { note } : {}) };
}

/** The command that draws the clip's spectrogram, zoomed on the detection with a margin. */
export function spectrogramCommand(row: DetectionListRow, dbFlag: string | undefined): string {
  const parts = ["acoupi", "spectrogram", row.recording_id];
  if (row.start_time_s !== null && row.end_time_s !== null) {
    parts.push("--start", seconds(Math.max(0, row.start_time_s - MARGIN_S)), "--end", seconds(Math.min(row.duration_s, row.end_time_s + MARGIN_S)));
  }
  parts.push("--out", `${row.detection_id.slice(0, 8)}.png`);
  if (dbFlag !== undefined) parts.push("--db", JSON.stringify(dbFlag));
  return parts.join(" ");
}

function describe(row: DetectionListRow, index: number, total: number, dbFlag: string | undefined): string {
  const clean = (text: string | null) => terminalSafe(text ?? "");
  const span = row.start_time_s !== null && row.end_time_s !== null ? `${seconds(row.start_time_s)}–${seconds(row.end_time_s)} s` : `whole recording (${seconds(row.duration_s)} s)`;
  const band = row.low_freq_hz !== null && row.high_freq_hz !== null ? `, ${seconds(row.low_freq_hz)}–${seconds(row.high_freq_hz)} Hz` : "";
  return [
    ``,
    `[${index}/${total}] ${clean(row.label)}  score ${row.score.toFixed(3)}  recorded ${shortTime(row.created_on)}`,
    `  detection    ${row.detection_id}`,
    `  clip         ${row.path === null ? "(no file)" : clean(row.path)}  at ${span}${band} (${row.recording_state})`,
    `  spectrogram  ${clean(spectrogramCommand(row, dbFlag))}`,
    ``,
  ].join("\n");
}

const PROMPT = "Verdict: c(orrect), f(alse), u(ncertain) [species] [# note]; s(kip), q(uit) > ";

/** Walks the unreviewed detections of `label`; prints a tally at the end. */
export async function reviewLabel(dbPath: string, roots: PathRoots, label: string, dbFlag: string | undefined): Promise<void> {
  const db = openMetadataForReview(dbPath, roots);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const tally: Record<Verdict | "skipped", number> = { correct: 0, false: 0, uncertain: 0, skipped: 0 };
  try {
    const rows = [...iterateDetections(db, { label, unreviewed: true, order: "oldest" })];
    if (rows.length === 0) {
      const any = iterateDetections(db, { label, limit: 1 }).next().done !== true;
      if (!any) throw new ConfigError(`There are no detections labelled "${label}"`, { key: "label", help: "Run `acoupi summary` to see the labels and their counts" });
      process.stdout.write(`Every detection labelled "${label}" has a verdict already.\n`);
      return;
    }
    process.stdout.write(`${rows.length} unreviewed detections labelled "${label}", oldest first.\n`);
    let index = 0;
    walk: for (const row of rows) {
      index += 1;
      process.stdout.write(describe(row, index, rows.length, dbFlag));
      for (;;) {
        process.stdout.write(PROMPT);
        const next = await lines.next();
        if (next.done === true) break walk;
        const answer = parseAnswer(next.value);
        if (answer === null) {
          process.stdout.write("Answer c, f, u, s or q.\n");
          continue;
        }
        if (answer.action === "quit") break walk;
        if (answer.action === "skip") tally.skipped += 1;
        else {
          const review = setReview(db, { id: row.detection_id, verdict: answer.verdict as Verdict, species: answer.species, note: answer.note, source: "cli" });
          tally[review.verdict] += 1;
          process.stdout.write(`Saved: ${review.verdict}${review.species !== null ? ` (${review.species})` : ""}\n`);
        }
        break;
      }
    }
    process.stdout.write(`\nReviewed ${tally.correct + tally.false + tally.uncertain}: ${tally.correct} correct, ${tally.false} false, ${tally.uncertain} uncertain; ${tally.skipped} skipped.\n`);
  } finally {
    rl.close();
    db.close();
  }
}
