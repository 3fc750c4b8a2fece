/** @module SavingFilter: decides whether a processed recording is kept. The task ORs them. */
import type { ModelOutput, Recording } from "../../data/index.ts";

/** Contract: pure; `modelOutputs` is empty when no model ran. */
export type SavingFilter = (recording: Recording, modelOutputs: readonly ModelOutput[]) => boolean;
