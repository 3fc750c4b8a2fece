/**
 * @module `acoupi review ID --correct|--false|--uncertain [--species "…"] [--note "…"]` sets a
 * detection's verdict in the metadata database (the latest verdict wins); `--species` is the
 * species it really was. The id is the full detection id or a unique prefix of 8+ characters, as
 * `acoupi detections` shows it; an unknown id is an error that changes nothing.
 * `acoupi review --label X` walks the unreviewed detections of one label on a terminal, oldest
 * first: it plays nothing, but prints each clip's file and time span and the command that draws
 * its spectrogram, then asks for the verdict (see review-session.ts).
 */
import { defineCommand } from "citty";
import { ConfigError } from "../../errors.ts";
import { metadataSource } from "../../report/metadata-db.ts";
import { openMetadataForReview, setReview, type Verdict } from "../../components/stores/reviews.ts";
import { reviewLabel } from "./_review-session.ts";

function verdictOf(args: { correct?: boolean; false?: boolean; uncertain?: boolean }): Verdict | null {
  const given = (["correct", "false", "uncertain"] as const).filter((v) => args[v] === true);
  if (given.length > 1) {
    throw new ConfigError(`Give one verdict, not ${given.map((v) => `--${v}`).join(" and ")}`, { key: "verdict" });
  }
  return given[0] ?? null;
}

export default defineCommand({
  meta: { name: "review", description: "Mark a detection correct, false or uncertain: `acoupi review ID --false --species \"Strix aluco\"`" },
  args: {
    id: { type: "positional", required: false, description: "The detection's id (or its first 8+ characters), from `acoupi detections`" },
    correct: { type: "boolean", description: "The detection is right" },
    false: { type: "boolean", description: "The detection is wrong" },
    uncertain: { type: "boolean", description: "Cannot tell" },
    species: { type: "string", description: "The species it really was (a corrected label)" },
    note: { type: "string", description: "A note kept with the verdict" },
    label: { type: "string", description: "Review the unreviewed detections of this label one by one, on a terminal" },
    db: { type: "string", description: "Write into this metadata database instead of the configured one" },
  },
  async run({ args }) {
    const verdict = verdictOf(args);
    const id = typeof args.id === "string" && args.id !== "" ? args.id : null;
    if (id === null && args.label === undefined) {
      throw new ConfigError("Name a detection (`acoupi review ID --correct`) or a label to go through (`acoupi review --label X`)", { key: "id" });
    }
    if (id !== null && args.label !== undefined) throw new ConfigError("Give a detection id or --label, not both", { key: "label" });
    if (id !== null && verdict === null) {
      throw new ConfigError(`Say what detection ${id} is: --correct, --false or --uncertain`, { key: "verdict" });
    }
    if (id === null && (verdict !== null || args.species !== undefined || args.note !== undefined)) {
      throw new ConfigError("--label asks for each verdict on the terminal: leave out --correct/--false/--uncertain, --species and --note", { key: "label" });
    }
    const { path, roots } = await metadataSource(args.db);
    if (id === null) {
      await reviewLabel(path, roots, args.label as string, args.db);
      return;
    }
    const db = openMetadataForReview(path, roots);
    try {
      const review = setReview(db, { id, verdict: verdict as Verdict, species: args.species, note: args.note, source: "cli" });
      const extra = [review.species !== null ? `species ${review.species}` : "", review.note !== null ? `note "${review.note}"` : ""].filter((s) => s !== "");
      process.stdout.write(`Detection ${review.detection_id}: ${review.verdict}${extra.length > 0 ? ` (${extra.join(", ")})` : ""}\n`);
    } finally {
      db.close();
    }
  },
});
