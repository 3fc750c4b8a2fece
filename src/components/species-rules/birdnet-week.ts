/**
 * @module BirdNET's week of the year: 48 weeks, four a month (days 1–7 are the month's first week,
 * 8–14 the second, 15–21 the third, 22 to the end the fourth), so week = (month − 1) × 4 + that.
 * −1 stands for the whole year, used when a recording has no date.
 */

/** The whole year, for a range model asked without a date. */
export const WHOLE_YEAR = -1;

/** BirdNET's week (1–48) of `date`, by its UTC calendar day. */
export function birdnetWeek(date: Date): number {
  const inMonth = Math.min(4, Math.floor((date.getUTCDate() - 1) / 7) + 1);
  return date.getUTCMonth() * 4 + inMonth;
}

/** True for 1–48 or −1. */
export function isBirdnetWeek(week: number): boolean {
  return week === WHOLE_YEAR || (Number.isInteger(week) && week >= 1 && week <= 48);
}

/**
 * Recordings whose start is not a recorded date (`acoupi analyze` fell back on a file's
 * modification time): the range filter asks for the whole year for them. Process-wide, by id;
 * the analyser adds a file's recording before running it and removes it after.
 */
export const undatedRecordings = new Set<string>();

/** The BirdNET week of a recording's start, or −1 when its date is unknown. */
export function recordingWeek(recording: { id: string; created_on: Date }): number {
  return undatedRecordings.has(recording.id) ? WHOLE_YEAR : birdnetWeek(recording.created_on);
}
