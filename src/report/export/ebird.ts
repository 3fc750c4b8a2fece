/**
 * @module `ebird.csv`: the eBird Record Format (Extended), which eBird's "Import data" takes. It
 * has 19 columns in a fixed order (EBIRD_COLUMNS) and, as eBird publishes it, no header row: a
 * header would be imported as a record. One row per species per checklist; a checklist is one
 * deployment's local day (or hour, with `checklist: "hour"`), in the configured time zone, because
 * eBird dates and times are local. What each column holds:
 * - Common Name, Genus, Species: from the label; a BirdNET label `Genus species_Common Name` fills
 *   all three, a binomial `Genus species` fills Genus and Species, any other label is a common name.
 *   A reviewer's corrected species (`acoupi review --species`) replaces the label.
 * - Number: `X` (present, not counted): a detection count is calls heard, not birds.
 * - Species Comments: how many detections, by which model, the best score, and how many a person
 *   confirmed.
 * - Location Name, Latitude, Longitude: the deployment's name and coordinates (a deployment without
 *   coordinates is refused: eBird needs a place). State/Province and Country Code stay empty: eBird
 *   asks for them on import from the coordinates.
 * - Date `MM/DD/YYYY`, Start Time `HH:MM` (24 h): the checklist's day and its first detection.
 * - Protocol `Incidental`, Number of Observers 1, All observations reported? `N`, and no Duration
 *   or effort: automated detections are not a complete birding count, which is what eBird's
 *   Stationary protocol with "all reported" would claim. A user who ran a full schedule can change
 *   the protocol on import.
 * - Submission Comments: made by acoupi from automated acoustic detections, with the time zone.
 * Detections a reviewer marked `false` (without a corrected species) are left out.
 */
import { join } from "node:path";
import { ConfigError } from "../../errors.ts";
import { VERSION } from "../../version.ts";
import type { DetectionListRow } from "../../components/stores/queries/listings.ts";
import { spreadsheetText } from "./csv.ts";
import { FileSink } from "./file-sink.ts";
import type { Exporter } from "./types.ts";

export const EBIRD_COLUMNS = [
  "Common Name",
  "Genus",
  "Species",
  "Number",
  "Species Comments",
  "Location Name",
  "Latitude",
  "Longitude",
  "Date",
  "Start Time",
  "State/Province",
  "Country Code",
  "Protocol",
  "Number of Observers",
  "Duration",
  "All observations reported?",
  "Effort Distance Miles",
  "Effort area acres",
  "Submission Comments",
] as const;

export interface EbirdOptions {
  /** IANA time zone for the local dates and times eBird wants; UTC when none is configured. */
  timeZone: string;
  checklist: "day" | "hour";
  /** The deployments' names and coordinates, by id. */
  locations: ReadonlyMap<string, { name: string; latitude: number | null; longitude: number | null }>;
}

export interface SpeciesName {
  common: string;
  genus: string;
  species: string;
}

const BINOMIAL = /^([A-Z][a-z]+) ([a-z][a-z-]+(?: [a-z][a-z-]+)?)$/;

/** Splits a label into eBird's three name columns. */
export function speciesName(label: string): SpeciesName {
  const text = label.trim();
  const underscore = text.indexOf("_");
  const scientific = underscore > 0 ? text.slice(0, underscore).trim() : text;
  const common = underscore > 0 ? text.slice(underscore + 1).trim() : "";
  const binomial = BINOMIAL.exec(scientific);
  if (binomial) return { common, genus: binomial[1] as string, species: binomial[2] as string };
  return { common: text, genus: "", species: "" };
}

interface LocalTime {
  date: string;
  time: string;
  hour: string;
}

function localClock(timeZone: string): (iso: string) => LocalTime {
  const format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return (iso) => {
    const parts = Object.fromEntries(format.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
    return { date: `${parts.month}/${parts.day}/${parts.year}`, time: `${parts.hour}:${parts.minute}`, hour: parts.hour as string };
  };
}

interface SpeciesTally {
  label: string;
  first: string;
  detections: number;
  confirmed: number;
  /** Detections whose species a reviewer named (`acoupi review --species`). */
  named: number;
  best: number;
  models: Set<string>;
}

interface Checklist {
  deploymentId: string;
  date: string;
  start: string;
  startTime: string;
  species: Map<string, SpeciesTally>;
}

/** A CSV cell; text from outside (names, labels) cannot start a spreadsheet formula, numbers stay numbers. */
function quote(value: string | number): string {
  const text = typeof value === "number" ? String(value) : (spreadsheetText(value) ?? "");
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function speciesComment(t: SpeciesTally): string {
  const confirmed = t.confirmed > 0 ? `, ${t.confirmed} confirmed by a reviewer` : "";
  const named = t.named > 0 ? `, ${t.named} named by a reviewer` : "";
  return `${t.detections} acoustic ${t.detections === 1 ? "detection" : "detections"} by ${[...t.models].join(", ")}, best score ${t.best.toFixed(2)}${confirmed}${named}`;
}

export function ebirdExporter(outDir: string, options: EbirdOptions): Exporter {
  const sink = new FileSink(join(outDir, "ebird.csv"));
  const local = localClock(options.timeZone);
  const checklists = new Map<string, Checklist>();
  const comments = `Automated acoustic detections by acoupi ${VERSION}; dates and times in ${options.timeZone}`;
  const row = (r: DetectionListRow): void => {
    if (r.verdict === "false" && r.verdict_species === null) return;
    const place = options.locations.get(r.deployment_id);
    if (place === undefined || place.latitude === null || place.longitude === null) {
      throw new ConfigError(`The deployment "${place?.name ?? r.deployment_name}" has no coordinates, and an eBird record needs a location`, {
        key: "deployment",
        help: "Export the deployments that have coordinates with --deployment NAME; start the next one with --latitude and --longitude",
      });
    }
    const at = new Date(Date.parse(r.created_on) + (r.start_time_s ?? 0) * 1000).toISOString();
    const clock = local(at);
    const key = `${r.deployment_id} ${clock.date}${options.checklist === "hour" ? ` ${clock.hour}` : ""}`;
    let list = checklists.get(key);
    if (list === undefined) {
      list = { deploymentId: r.deployment_id, date: clock.date, start: at, startTime: options.checklist === "hour" ? `${clock.hour}:00` : clock.time, species: new Map() };
      checklists.set(key, list);
    }
    if (options.checklist === "day" && at < list.start) {
      list.start = at;
      list.startTime = clock.time;
    }
    const label = r.verdict_species ?? r.label ?? r.model;
    const tally = list.species.get(label) ?? { label, first: at, detections: 0, confirmed: 0, named: 0, best: 0, models: new Set<string>() };
    tally.detections += 1;
    if (r.verdict === "correct") tally.confirmed += 1;
    if (r.verdict_species !== null) tally.named += 1;
    tally.best = Math.max(tally.best, r.score);
    tally.models.add(r.model);
    if (at < tally.first) tally.first = at;
    list.species.set(label, tally);
  };
  const line = (list: Checklist, t: SpeciesTally): string => {
    const place = options.locations.get(list.deploymentId) as { name: string; latitude: number; longitude: number };
    const name = speciesName(t.label);
    const cells = [name.common, name.genus, name.species, "X", speciesComment(t), place.name, place.latitude, place.longitude,
      list.date, list.startTime, "", "", "Incidental", "1", "", "N", "", "", comments];
    return `${cells.map(quote).join(",")}\r\n`;
  };
  return {
    row,
    close() {
      // Checklists by their first detection, species within one by their first detection.
      for (const list of [...checklists.values()].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))) {
        const species = [...list.species.values()].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.label < b.label ? -1 : 1));
        for (const t of species) sink.write(line(list, t));
      }
      sink.close();
      return [sink.path];
    },
    abort: () => sink.abort(),
  };
}
