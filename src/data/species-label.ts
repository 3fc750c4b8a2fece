/**
 * @module Species labels of the form `Genus species_Common Name` (BirdNET's label files): the
 * scientific name before the first `_`, the common name after it. A label without `_` is its own
 * scientific name and has no common name.
 */

/** The tag key of a common name, added beside the species tag of a `Genus species_Common Name` label. */
export const COMMON_NAME_KEY = "common_name";

export interface SpeciesLabel {
  /** The scientific name, e.g. `Turdus merula`; the whole label when it has no `_`. */
  scientific: string;
  /** The common name, e.g. `Eurasian Blackbird`; null when the label has none. */
  common: string | null;
}

/**
 * Split a label into its scientific and common names. Surrounding spaces are trimmed; an empty
 * side (`_Blackbird`, `Turdus merula_`) falls back to the whole label as the scientific name, so a
 * label never loses its text.
 */
export function parseSpeciesLabel(label: string): SpeciesLabel {
  const text = label.trim();
  const cut = text.indexOf("_");
  if (cut < 0) return { scientific: text, common: null };
  const scientific = text.slice(0, cut).trim();
  const common = text.slice(cut + 1).trim();
  if (scientific === "" || common === "") return { scientific: text, common: null };
  return { scientific, common };
}

/** How a label reads to a person: `Eurasian Blackbird (Turdus merula)`, or the scientific name alone. */
export function speciesDisplayName(label: SpeciesLabel): string {
  return label.common === null ? label.scientific : `${label.common} (${label.scientific})`;
}
