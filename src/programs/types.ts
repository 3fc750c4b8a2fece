/**
 * @module The program API types: a program is data plus functions. `setup` registers tasks on a
 * ProgramContext (acoupi's `add_task`), and templates are functions that do the same.
 */
import type { ConsolaInstance } from "consola";
import type { z } from "zod";
import type { Deployment } from "../data/index.ts";
import type { Clock } from "../scheduler/clock.ts";
import type { Schedule } from "../scheduler/types.ts";
import type { AcoupiPaths } from "../system/paths.ts";
import type { ProgramContext } from "./program-context.ts";
import type { WorkerSpec } from "./workers.ts";

/** What a program gets from the runtime; nothing here is global state. */
export interface ProgramDeps {
  paths: AcoupiPaths;
  deviceId: string;
  clock: Clock;
  logger: ConsolaInstance;
  version: string;
}

export type TaskFunction<I = unknown, R = unknown> = (input: I) => R | undefined | void | Promise<R | undefined | void>;

export interface TaskOptions {
  /** Task name; defaults to the function's name. */
  name?: string;
  /** Every N seconds, a cron expression, or `{ after: OTHER_TASK }` to run with its result. */
  schedule?: Schedule;
  /** Queue that runs it; must be served by a worker. Default: `default`. */
  queue?: string;
}

export type Hook = (deployment: Deployment) => void | Promise<void>;

export interface ProgramDefinition<S extends z.ZodType = z.ZodType> {
  /**
   * The program API version the program is written against (`PROGRAM_API_VERSIONS` lists those
   * this binary serves). A program file that declares another is refused by name; one that
   * declares none is taken as version 1, the first.
   */
  apiVersion?: number;
  name: string;
  description?: string;
  configSchema: S;
  workers?: readonly WorkerSpec[];
  setup(config: z.output<S>, ctx: ProgramContext): void | Promise<void>;
  /** Throws HealthCheckError (or any AcoupiError) when the deployment cannot work. */
  check?(config: z.output<S>, ctx: ProgramContext): void | Promise<void>;
  onStart?(deployment: Deployment, ctx: ProgramContext): void | Promise<void>;
  onEnd?(deployment: Deployment, ctx: ProgramContext): void | Promise<void>;
}
