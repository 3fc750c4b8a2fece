/**
 * @module The program API handed to external program files: `defineProgram`, zod and the config
 * markers, so a program file next to the binary needs no packages of its own.
 */
import { z } from "zod";
import { HealthCheckError } from "../errors.ts";
import { noPrompt, secret } from "../config/markers.ts";
import { timeOfDay, timeZone } from "../config/types.ts";
import { defineProgram } from "./define-program.ts";
import { DEFAULT_WORKERS, DETECTION_WORKERS } from "./workers.ts";

export const programApi = {
  defineProgram,
  z,
  noPrompt,
  secret,
  timeOfDay,
  timeZone,
  HealthCheckError,
  DEFAULT_WORKERS,
  DETECTION_WORKERS,
};

export type ProgramApi = typeof programApi;
