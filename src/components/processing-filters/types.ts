/** @module ProcessingFilter: decides whether the model runs on a recording. The task ANDs them. */
import type { Recording } from "../../data/index.ts";

/** Contract: may read the recording's file; returns false to skip the model. */
export type ProcessingFilter = (recording: Recording) => boolean | Promise<boolean>;
