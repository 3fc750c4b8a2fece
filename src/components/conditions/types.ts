/** @module RecordingCondition: decides whether to record now. Combine with all(), any(), not(). */

/** Contract: pure apart from reading `now`; never throws for a valid config; cheap to call. */
export type RecordingCondition = (now: Date) => boolean;
