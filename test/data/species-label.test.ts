import { describe, expect, test } from "bun:test";
import { parseSpeciesLabel, speciesDisplayName } from "../../src/data/species-label.ts";

describe("species labels", () => {
  test("a BirdNET label splits into the scientific name and the common name at the first underscore", () => {
    expect(parseSpeciesLabel("Turdus merula_Eurasian Blackbird")).toEqual({
      scientific: "Turdus merula",
      common: "Eurasian Blackbird",
    });
  });

  test("a common name keeps later underscores and inner punctuation", () => {
    expect(parseSpeciesLabel("Engine_Engine_Noise")).toEqual({ scientific: "Engine", common: "Engine_Noise" });
    expect(parseSpeciesLabel("Poecile atricapillus_Black-capped Chickadee")).toEqual({
      scientific: "Poecile atricapillus",
      common: "Black-capped Chickadee",
    });
  });

  test("a label without an underscore is its own scientific name", () => {
    expect(parseSpeciesLabel("Pipistrellus pipistrellus")).toEqual({ scientific: "Pipistrellus pipistrellus", common: null });
  });

  test("surrounding spaces are trimmed and an empty side keeps the whole label", () => {
    expect(parseSpeciesLabel("  Turdus merula_Eurasian Blackbird \r")).toEqual({
      scientific: "Turdus merula",
      common: "Eurasian Blackbird",
    });
    expect(parseSpeciesLabel("_Blackbird")).toEqual({ scientific: "_Blackbird", common: null });
    expect(parseSpeciesLabel("Turdus merula_")).toEqual({ scientific: "Turdus merula_", common: null });
  });

  test("the display name shows the common name with the scientific name in brackets", () => {
    expect(speciesDisplayName(parseSpeciesLabel("Turdus merula_Eurasian Blackbird"))).toBe("Eurasian Blackbird (Turdus merula)");
    expect(speciesDisplayName(parseSpeciesLabel("Myotis daubentonii"))).toBe("Myotis daubentonii");
  });
});
