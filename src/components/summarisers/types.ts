/** @module Summariser: builds a summary message over the last interval, or null when empty. */
import type { Message } from "../../data/index.ts";

export type Summariser = (now: Date) => Message | null;
