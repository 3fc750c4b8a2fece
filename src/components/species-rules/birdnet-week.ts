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
