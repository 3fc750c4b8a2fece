/**
 * @module The deadlines of a stop, in one place so they keep their order: `acoupi stop` (and
 * systemd) SIGTERMs the runner and SIGKILLs it after `STOP_KILL_GRACE_MS`; the runner drains its
 * running tasks, then has its last word (sending what is queued) within `LAST_SEND_DEADLINE_MS`,
 * and the whole stop stays `STOP_MARGIN_MS` below the kill.
 */

/** How long `acoupi stop` waits for the runner to exit after SIGTERM before it SIGKILLs it. */
export const STOP_KILL_GRACE_MS = 15_000;
/** The longest the last send may take, at the runner's stop and at the deployment's end. */
export const LAST_SEND_DEADLINE_MS = 5_000;
/** Time kept for closing the stores and exiting after the last send. */
export const STOP_MARGIN_MS = 2_000;
