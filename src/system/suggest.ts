/**
 * @module "Did you mean": the few known names nearest to a mistyped one (edit distance with
 * transpositions, so `--sinse` finds `--since` and `stauts` finds `status`), for unknown commands,
 * options, config keys, programs and choices. A short list, never the whole catalogue.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i] as number[];
      const up = d[i - 1] as number[];
      row[j] = Math.min((up[j] as number) + 1, (row[j - 1] as number) + 1, (up[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j] as number, ((d[i - 2] as number[])[j - 2] as number) + 1);
    }
  }
  return (d[a.length] as number[])[b.length] as number;
}

/**
 * The names nearest to `word` (at most `max`), closest first: those within a third of the word's
 * length in edits (at least 2), and those that end with it or start with it (`password` finds
 * `messaging.mqtt.password`). Case is ignored.
 */
export function nearestNames(word: string, names: readonly string[], max = 3): string[] {
  const w = word.toLowerCase();
  const limit = Math.max(2, Math.floor(w.length / 3));
  const scored: Array<{ name: string; score: number }> = [];
  for (const name of new Set(names)) {
    const n = name.toLowerCase();
    const last = n.split(".").pop() ?? n;
    const distance = Math.min(editDistance(w, n), editDistance(w, last) + 0.5);
    if (distance <= limit) scored.push({ name, score: distance });
    else if (w.length >= 3 && (n.endsWith(`.${w}`) || n.startsWith(w) || last.startsWith(w))) scored.push({ name, score: limit + 1 });
  }
  return scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name)).slice(0, max).map((s) => s.name);
}

/** "did you mean a, b or c?", or null when no name is near. */
export function didYouMean(word: string, names: readonly string[], format: (name: string) => string = (n) => n): string | null {
  const near = nearestNames(word, names).map(format);
  if (near.length === 0) return null;
  const list = near.length === 1 ? near[0] : `${near.slice(0, -1).join(", ")} or ${near[near.length - 1]}`;
  return `did you mean ${list}?`;
}
