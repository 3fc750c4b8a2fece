/**
 * @module ProgramContext: what a program's `setup` and the templates register into. It holds the
 * tasks (acoupi's `add_task`), the lifecycle hooks the templates add (store the deployment on
 * start, flush temp files on end), the health checks, the components' status providers, the
 * models recordings wait for, and the resources to close on stop.
 */
import { AcoupiError, ConfigError } from "../errors.ts";
import type { TaskDefinition, TaskStats } from "../scheduler/types.ts";
import { isCheckReport, type CheckReport, type ComponentStatus, type Deployment } from "../data/index.ts";
import type { Hook, ProgramDeps, TaskFunction, TaskOptions } from "./types.ts";
import { DEFAULT_QUEUE } from "./workers.ts";

export type { ComponentStatus } from "../data/component-status.ts";

/** What `use` wires: any of a component's check, close and status. */
export interface Component {
  /** May return a CheckReport (what it tested), shown by `acoupi check`. */
  check(): unknown;
  close(): void | Promise<void>;
  status(): ComponentStatus;
}

export class ProgramContext {
  readonly deps: ProgramDeps;
  readonly queues: Readonly<Record<string, number | null>>;
  readonly tasks: TaskDefinition[] = [];
  #startHooks: Hook[] = [];
  #endHooks: Hook[] = [];
  #checks: Array<{ run: () => unknown; network: boolean }> = [];
  #closers: Array<() => void | Promise<void>> = [];
  #stoppingHooks: Array<(budgetMs: number) => void | Promise<void>> = [];
  readonly #stopping = new AbortController();
  #statusProviders = new Map<string, () => ComponentStatus>();
  #taskStats: () => Record<string, TaskStats> = () => ({});
  #requiredModels: string[] = [];

  constructor(deps: ProgramDeps, queues: Record<string, number | null>) {
    this.deps = deps;
    this.queues = queues;
  }

  /**
   * Registers a task; returns its name. Chain a task on another with `schedule: { after: NAME }`:
   * it then runs with the other task's result whenever that is not undefined or null.
   */
  addTask<I, R>(fn: TaskFunction<I, R>, options: TaskOptions = {}): string {
    const name = options.name ?? fn.name;
    if (!name) throw new ConfigError("A task needs a name: pass `name` or use a named function");
    this.#register(name, options.queue ?? DEFAULT_QUEUE, fn as TaskFunction, options.schedule);
    return name;
  }

  /**
   * Registers a component's capabilities: its `check` runs in `acoupi check`, its `close` on
   * stop (in reverse order of registration), and its `status` is polled into the status file
   * under `name`. Returns the component, so a template can write `const m = ctx.use("x", new M())`.
   */
  use<T extends Partial<Component>>(name: string, component: T): T {
    if (component.check) this.onCheck(() => component.check?.());
    if (component.close) this.onClose(() => component.close?.());
    if (component.status) this.onStatus(name, () => component.status?.() ?? {});
    return component;
  }

  /** Declares a model whose output every recording waits for before file management files it. */
  requireModel(name: string): void {
    if (!this.#requiredModels.includes(name)) this.#requiredModels.push(name);
  }

  /** The models declared with `requireModel`, in order. */
  requiredModels(): readonly string[] {
    return this.#requiredModels;
  }

  #register(name: string, queue: string, run: TaskFunction, schedule: TaskDefinition["schedule"]): void {
    if (!(queue in this.queues)) {
      throw new ConfigError(`Queue ${queue} is not declared in the worker config`, {
        help: `Declared queues: ${Object.keys(this.queues).join(", ")}. Add a worker serving "${queue}" to the program's workers`,
      });
    }
    if (this.tasks.some((t) => t.name === name)) throw new ConfigError(`Task "${name}" is registered twice`);
    this.tasks.push({ name, queue, schedule, run });
  }

  task(name: string): TaskDefinition | undefined {
    return this.tasks.find((t) => t.name === name);
  }

  onStart(hook: Hook): void {
    this.#startHooks.push(hook);
  }

  onEnd(hook: Hook): void {
    this.#endHooks.push(hook);
  }

  /** A health check; it may return a CheckReport. A `network` check (a broker) only warns when `networkWarns`. */
  onCheck(check: () => unknown, options: { network?: boolean } = {}): void {
    this.#checks.push({ run: check, network: options.network ?? false });
  }

  onClose(closer: () => void | Promise<void>): void {
    this.#closers.push(closer);
  }

  /**
   * A last word when the runner stops (SIGTERM), after its tasks drained and before anything
   * closes: e.g. sending what is queued. The hook gets its time budget in milliseconds and must
   * keep to it (the runner must exit before `acoupi stop` kills it).
   */
  onStopping(hook: (budgetMs: number) => void | Promise<void>): void {
    this.#stoppingHooks.push(hook);
  }

  /**
   * Aborted when the runner starts to stop (before its tasks drain): a task that may wait on the
   * network (sending) lets go of its run, so a dead server cannot hold the stop.
   */
  get stopping(): AbortSignal {
    return this.#stopping.signal;
  }

  /** Called by the runner on SIGTERM, before it drains the running tasks. */
  signalStopping(): void {
    this.#stopping.abort();
  }

  /** Runs the stopping hooks in order with the budget that is left; a hook that throws is logged. */
  async runStoppingHooks(budgetMs: number): Promise<void> {
    const until = performance.now() + budgetMs;
    for (const hook of this.#stoppingHooks) {
      try {
        await hook(Math.max(0, until - performance.now()));
      } catch (error) {
        this.deps.logger.error("A stopping hook failed:", error);
      }
    }
  }

  /** Registers a component's status, polled each time the runner writes its status file. */
  onStatus(name: string, provider: () => ComponentStatus): void {
    this.#statusProviders.set(name, provider);
  }

  /** The runner points this at its scheduler; before that (e.g. in `acoupi check`) it is empty. */
  setTaskStatsSource(source: () => Record<string, TaskStats>): void {
    this.#taskStats = source;
  }

  /** Per-task run, failure and skip counts of the running scheduler (heartbeats report them). */
  taskStats(): Record<string, TaskStats> {
    return this.#taskStats();
  }

  collectStatus(): { degraded: string[]; components: Record<string, Record<string, number | string | null>> } {
    const degraded: string[] = [];
    const components: Record<string, Record<string, number | string | null>> = {};
    for (const [name, provider] of this.#statusProviders) {
      const status = provider();
      if (status.degraded) degraded.push(`${name}: ${status.degraded}`);
      components[name] = status.figures ?? {};
    }
    return { degraded, components };
  }

  async runStartHooks(deployment: Deployment): Promise<void> {
    for (const hook of this.#startHooks) await hook(deployment);
  }

  /**
   * End hooks run last-registered first: a program composed basic → messaging → detection
   * processes what is left, then sends, then files the recordings.
   */
  async runEndHooks(deployment: Deployment): Promise<void> {
    for (const hook of [...this.#endHooks].reverse()) await hook(deployment);
  }

  async runChecks(options: { networkWarns?: boolean } = {}): Promise<CheckReport[]> {
    const reports: CheckReport[] = [];
    for (const check of this.#checks) {
      try {
        const report = await check.run();
        if (isCheckReport(report)) reports.push(report);
      } catch (error) {
        if (!(check.network && options.networkWarns && error instanceof AcoupiError)) throw error;
        reports.push({ subject: "network", lines: [], warnings: [`${error.message}; messages wait in the outbox until it is reachable`] });
      }
    }
    return reports;
  }

  /** Closes resources in reverse order of registration; every closer runs even if one fails. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const closer of [...this.#closers].reverse()) {
      try {
        await closer();
      } catch (error) {
        errors.push(error);
        this.deps.logger.error("Closing a resource failed:", error);
      }
    }
    this.#closers = [];
    if (errors.length > 0) throw errors[0];
  }
}
