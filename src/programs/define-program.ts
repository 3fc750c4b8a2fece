/**
 * @module `defineProgram` and `instantiateProgram`: the program API. A program is a plain object
 * (apiVersion, name, schema, workers, setup, check, onStart, onEnd); instantiating it validates
 * its workers, runs its setup against a fresh ProgramContext and returns what the runner and CLI
 * drive. For a program loaded from a file, what its setup, check, hooks and tasks throw is blamed
 * on the file, with a line (program-file-errors.ts).
 */
import type { z } from "zod";
import type { CheckReport, Deployment } from "../data/index.ts";
import { blame, programFileOf } from "./program-file-errors.ts";
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
  const theirs = userCode(definition);
  try {
    await theirs("setup", () => definition.setup(config, context));
  } catch (error) {
    await context.close();
    throw error;
  }
  if (programFileOf(definition) !== undefined) for (const task of context.tasks) task.run = blamedTask(theirs, task.name, task.run);
  return {
    definition: definition as unknown as ProgramDefinition,
    config,
    context,
    // The checks and hooks a program registered on its context run here too, so they are blamed alike.
    check: (options) =>
      theirs("check", async () => {
        const reports = await context.runChecks(options);
        await definition.check?.(config, context);
        return reports;
      }),
    start: (deployment) =>
      theirs("onStart", async () => {
        await context.runStartHooks(deployment);
        await definition.onStart?.(deployment, context);
      }),
    end: (deployment) =>
      theirs("onEnd", async () => {
        await context.runEndHooks(deployment);
        await definition.onEnd?.(deployment, context);
      }),
    close: () => context.close(),
  };
}

type Guard = <T>(phase: string, run: () => T) => T;

/** Runs a part of the program; for a program file, what it throws is blamed on the file. */
function userCode(definition: ProgramDefinition<z.ZodType>): Guard {
  const file = programFileOf(definition);
  if (file === undefined) return (_phase, run) => run();
  const reblame = (phase: string) => (error: unknown) => {
    throw blame(error, file, definition.name, phase);
  };
  return <T>(phase: string, run: () => T): T => {
    try {
      const result = run();
      return (result instanceof Promise ? result.catch(reblame(phase)) : result) as T;
    } catch (error) {
      return reblame(phase)(error);
    }
  };
}

/** A task of a program file whose throws name the file and line (the scheduler logs and counts them). */
function blamedTask<I, R>(theirs: Guard, name: string, run: (input: I) => R): (input: I) => R {
  return (input) => theirs(`task ${name}`, () => run(input));
}
