/**
 * @module `defineProgram` and `instantiateProgram`: the program API. A program is a plain object
 * (name, schema, workers, setup, check, onStart, onEnd); instantiating it validates its workers,
 * runs its setup against a fresh ProgramContext and returns what the runner and CLI drive.
 */
import type { z } from "zod";
import type { CheckReport, Deployment } from "../data/index.ts";
import { ProgramContext } from "./program-context.ts";
import type { SectionsGuard } from "./program-sections.ts";
import type { ProgramDefinition, ProgramDeps } from "./types.ts";
import { DEFAULT_WORKERS, queueConcurrency } from "./workers.ts";

export function defineProgram<S extends z.ZodType>(definition: ProgramDefinition<S> & SectionsGuard<z.output<S>>): ProgramDefinition<S> {
  queueConcurrency(definition.workers ?? DEFAULT_WORKERS);
  return definition;
}

/** The queues a program declares, readable without running it. */
export function programQueues(definition: ProgramDefinition): string[] {
  return Object.keys(queueConcurrency(definition.workers ?? DEFAULT_WORKERS));
}

export interface ProgramInstance {
  definition: ProgramDefinition;
  config: unknown;
  context: ProgramContext;
  check(options?: { networkWarns?: boolean; collect?: boolean }): Promise<CheckReport[]>;
  start(deployment: Deployment): Promise<void>;
  end(deployment: Deployment): Promise<void>;
  close(): Promise<void>;
}

export async function instantiateProgram<S extends z.ZodType>(
  definition: ProgramDefinition<S>,
  config: z.output<S>,
  deps: ProgramDeps,
): Promise<ProgramInstance> {
  const context = new ProgramContext(deps, queueConcurrency(definition.workers ?? DEFAULT_WORKERS));
  try {
    await definition.setup(config, context);
  } catch (error) {
    await context.close();
    throw error;
  }
  return {
    definition: definition as unknown as ProgramDefinition,
    config,
    context,
    async check(options) {
      const reports = await context.runChecks(options);
      await definition.check?.(config, context);
      return reports;
    },
    async start(deployment) {
      await context.runStartHooks(deployment);
      await definition.onStart?.(deployment, context);
    },
    async end(deployment) {
      await context.runEndHooks(deployment);
      await definition.onEnd?.(deployment, context);
    },
    close: () => context.close(),
  };
}
