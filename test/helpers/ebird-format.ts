/**
 * @module The eBird Record Format (Extended) as eBird publishes it, written out here from the
 * published format (not taken from the code), and an RFC 4180 parser to read an export's records.
 */

/** The eBird Record Format (Extended), columns A to S. */
export const PUBLISHED = [
  "Common Name", "Genus", "Species", "Number", "Species Comments", "Location Name", "Latitude", "Longitude", "Date", "Start Time",
  "State/Province", "Country Code", "Protocol", "Number of Observers", "Duration", "All observations reported?", "Effort Distance Miles",
  "Effort area acres", "Submission Comments",
];

/** RFC 4180 records (quoted fields may hold commas, doubled quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") record.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      (record = []), (field = ""), i++;
    } else field += c;
  }
  if (field !== "" || record.length > 0) throw new Error("The last record has no CRLF line end");
  return records;
}

export type Row = Record<(typeof PUBLISHED)[number], string>;
export const asRows = (records: string[][]): Row[] => records.map((r) => Object.fromEntries(PUBLISHED.map((name, i) => [name, r[i] as string])) as Row);
