/**
 * @module Runtime settings for the long-running runner, which Bun and JavaScriptCore read only at
 * start-up, so `acoupi run` re-executes itself (same pid, same argv) with them in its environment
 * when they are missing. Each one removes a thread or a timer that woke the idle runner (issue 16,
 * measured with perf stat and /proc/<pid>/task):
 *   - BUN_GC_TIMER_INTERVAL=10000: Bun's GC timer every 10 s instead of every second. Turning
 *     it off (BUN_GC_TIMER_DISABLE) saves a little more, but a detection runner then grew by
 *     ~50 MB per recording (the garbage of each model run is mostly outside the JS heap, where
 *     the allocation-driven collector does not see it): 261 → 453 MB in 40 s, against a flat
 *     200–270 MB with the 10 s timer;
 *   - BUN_JSC_useWarmUpMarkedBlocks=0: the "JSCWarmUp" thread that wakes every 5 s;
 *   - BUN_JSC_numberOfGCMarkers=1: the "HeapHelper" parallel-marking threads (the heap is ~8 MB);
 *   - BUN_JSC_useConcurrentJIT=0: the "JITWorker" threads; tier-ups compile on the main thread.
 *   - BUN_JSC_thresholdForOptimize{AfterWarmUp,AfterLongWarmUp,Soon}=100000 (100× the default):
 *     the runner's own code (a few calls every 10 s) stays in the baseline JIT instead of being
 *     compiled again by the optimising DFG JIT, whose compiler's code then never pages in: 3.8 MiB
 *     less RSS for the default program (issue 26, bench/FIGURES.md). Loops over samples still
 *     reach it within one recording: the bat runner's CPU per second of audio did not change
 *     (36/87 ms at 256/384 kHz against 38/88 ms, bench/bat-runner-cpu.ts).
 * A value the user already set wins. ACOUPI_RUNTIME_TUNING=0 turns the re-exec off.
 */
import { isCompiledBinary, selfCommand } from "../system/self-command.ts";

export const RUNNER_ENV: Readonly<Record<string, string>> = {
  BUN_GC_TIMER_INTERVAL: "10000",
  BUN_JSC_useWarmUpMarkedBlocks: "0",
  BUN_JSC_numberOfGCMarkers: "1",
  BUN_JSC_useConcurrentJIT: "0",
  BUN_JSC_thresholdForOptimizeAfterWarmUp: "100000",
  BUN_JSC_thresholdForOptimizeAfterLongWarmUp: "100000",
  BUN_JSC_thresholdForOptimizeSoon: "100000",
};

/** The settings of RUNNER_ENV that `env` lacks. */
export function missingRunnerEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(RUNNER_ENV).filter(([key]) => env[key] === undefined));
}

/**
 * Replaces this process with itself plus the missing settings; returns when nothing is missing,
 * tuning is off, or the re-exec fails (said on stderr). Call it before anything opens a file or a thread.
 */
export function reexecWithRunnerEnv(): void {
  if (process.env.ACOUPI_RUNTIME_TUNING === "0") return;
  const missing = missingRunnerEnv(process.env);
  // process.execve keeps the pid, so the pidfile, systemd and `acoupi stop` see one process.
  if (Object.keys(missing).length === 0 || typeof process.execve !== "function") return;
  // From source, keep the runtime flags this process started with (e.g. --preload), then the entry.
  const [first, ...rest] = selfCommand();
  const argv = [first as string, ...(isCompiledBinary() ? [] : process.execArgv), ...rest, ...process.argv.slice(2)];
  try {
    process.execve(argv[0] as string, argv, { ...process.env, ...missing });
  } catch (error) {
    // The settings only save memory and wake-ups: a runner that cannot re-execute itself (a
    // binary run through qemu-user without binfmt_misc, a noexec mount) records untuned.
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Warning: running without the runner's runtime settings (re-executing ${argv[0]} failed: ${reason}); set ACOUPI_RUNTIME_TUNING=0 to skip the attempt\n`);
  }
}
