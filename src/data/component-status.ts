/**
 * @module ComponentStatus: what a component or task tells the status file — a degraded reason
 * (null when fine) and its figures. It lives below tasks and programs so that components, tasks
 * and the runner all share it without importing the program API.
 */

/** What a component tells the status file: a degraded reason (null when fine) and figures. */
export interface ComponentStatus {
  degraded?: string | null;
  figures?: Record<string, number | string | null>;
}

/** A component or task that can report its own health. */
export interface ReportsStatus {
  status(): ComponentStatus;
}
