/**
 * docs/program-api.md cannot drift from the program API: every exported name has an entry (a
 * bullet "- `name` — …" under its namespace's "## `api.NAMESPACE`" heading, or under "## `api`"
 * for a top-level name), no entry names what the API does not export, and every field of the data
 * records has a row with its unit in the record's table.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DeploymentSchema } from "../../src/data/deployment.ts";
import { MessageSchema } from "../../src/data/message.ts";
import { DetectionSchema, ModelOutputSchema } from "../../src/data/model-output.ts";
import { RecordingSchema } from "../../src/data/recording.ts";
import { apiNames } from "../helpers/api-names.ts";
import { REPO } from "../helpers/cli.ts";

const DOC = readFileSync(join(REPO, "docs/program-api.md"), "utf8");

/** `namespace.name` for each entry of the doc (a top-level name alone). */
function documentedNames(text: string): string[] {
  const names: string[] = [];
  let namespace: string | null = null;
  for (const line of text.split("\n")) {
    const heading = /^## `api(?:\.(\w+))?`\s*$/.exec(line);
    if (heading) namespace = heading[1] ?? "";
    else if (/^## /.test(line)) namespace = null;
    const entry = /^- `(\w+)` — \S/.exec(line);
    if (entry && namespace !== null) names.push(namespace === "" ? (entry[1] as string) : `${namespace}.${entry[1]}`);
  }
  return names;
}

/** The rows of the table under "### `Record`": field → unit. */
function fieldUnits(text: string, record: string): Map<string, string> {
  const rows = new Map<string, string>();
  const start = text.indexOf(`### \`${record}\``);
  if (start < 0) return rows;
  const section = text.slice(start).split(/\n#{2,3} /)[0] as string;
  for (const match of section.matchAll(/^\| `(\w+)` \| [^|]+ \| ([^|]*) \|/gm)) rows.set(match[1] as string, (match[2] as string).trim());
  return rows;
}

describe("docs/program-api.md", () => {
  test("documents every name the program API exports, and nothing else", () => {
    const exported = apiNames().sort();
    const documented = documentedNames(DOC).sort();
    expect(exported.length).toBeGreaterThan(100);
    expect(exported.filter((name) => !documented.includes(name))).toEqual([]);
    expect(documented.filter((name) => !exported.includes(name))).toEqual([]);
  });

  test("the check fails for a name without an entry", () => {
    const without = DOC.replace(/^- `readRealTime` — .*$/m, "");
    expect(documentedNames(without)).not.toContain("audio.readRealTime");
    expect(apiNames()).toContain("audio.readRealTime");
  });

  test("gives every field of the data records a unit", () => {
    const records = { Recording: RecordingSchema, ModelOutput: ModelOutputSchema, Detection: DetectionSchema, Deployment: DeploymentSchema, Message: MessageSchema };
    const missing: string[] = [];
    for (const [record, schema] of Object.entries(records)) {
      const units = fieldUnits(DOC, record);
      for (const field of Object.keys(schema.shape)) if (!units.get(field)) missing.push(`${record}.${field}`);
    }
    expect(missing).toEqual([]);
    for (const field of ["subject", "lines", "warnings", "failures"]) expect(fieldUnits(DOC, "CheckReport").get(field)).toBeTruthy();
  });

  test("says which units the detection's location and the recording's rate are in", () => {
    expect(fieldUnits(DOC, "Detection").get("location")).toContain("real time");
    expect(fieldUnits(DOC, "Recording").get("samplerate")).toBe("Hz, real time");
    expect(fieldUnits(DOC, "Recording").get("duration")).toBe("seconds, real time");
  });
});
