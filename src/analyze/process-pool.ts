/**
 * @module `--jobs N`: N child processes, each `acoupi analyze --worker`, each with one
 * ProgramAnalyser (one model, with `model.threads` WASM threads of its own). A child reads its job
 * (one JSON line) and then file paths on stdin, and answers one JSON FileResult line per path on
 * stdout. The parent hands a child its next path only once it answered the last, so a slow file
 * never queues work behind it, and at most N paths are in flight however long the walk. Child
 * processes rather than Workers: a model that crashes its runtime takes one child with it, and
 * the parent names the file it was on. All children write to the same SQLite database (WAL, busy
 * timeout), one short transaction per file.
 */
import type { Subprocess } from "bun";
import { AcoupiError } from "../errors.ts";
import { selfCommand } from "../system/self-command.ts";
import { isProgramFault, type FileResult } from "./program-analyser.ts";

import type { AnalysisCoordinates } from "./program-analyser.ts";

/** The first line a worker reads: what ProgramAnalyser.open needs, minus what the child finds itself. */
export interface WorkerJob {
  programName: string;
  config: unknown;
  dbPath: string;
  outDir: string;
  /** Where the files were recorded (`--latitude`, `--longitude`), for the range filter. */
  coordinates?: AnalysisCoordinates | null;
}

/** A program fault a worker met (see ProgramAnalyser.analyse): the parent stops the run with it. */
interface WorkerFault {
  code: string;
  message: string;
  help?: string;
}

/** Child processes replaced in one run before the remaining files are failed instead. */
const MAX_RESTARTS = 3;

interface Child {
  proc: Subprocess<"pipe", "pipe", "inherit">;
  lines: AsyncIterator<string>;
}

async function* splitLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      yield pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
  }
  if (pending !== "") yield pending;
}

function startChild(job: WorkerJob): Child {
  const proc = Bun.spawn([...selfCommand(), "analyze", "--worker"], { stdin: "pipe", stdout: "pipe", stderr: "inherit", env: process.env });
  proc.stdin.write(`${JSON.stringify(job)}\n`);
  proc.stdin.flush();
  return { proc, lines: splitLines(proc.stdout)[Symbol.asyncIterator]() };
}

/** Sends one path to a child and waits for its answer; a child that died fails the file and is replaced. */
async function ask(child: Child, path: string): Promise<{ result: FileResult; alive: boolean }> {
  child.proc.stdin.write(`${path}\n`);
  child.proc.stdin.flush();
  for (;;) {
    const next = await child.lines.next();
    if (next.done) {
      const code = await child.proc.exited;
      return { result: { path, status: "failed", detections: 0, audioSeconds: 0, error: `${path}: the analysis process ended (exit code ${code}) while on this file` }, alive: false };
    }
    if (!next.value.startsWith("{")) continue;
    const answer = JSON.parse(next.value) as FileResult | { fault: WorkerFault };
    if ("fault" in answer) throw new AcoupiError(answer.fault.code, answer.fault.message, answer.fault.help === undefined ? {} : { help: answer.fault.help });
    return { result: answer, alive: true };
  }
}

/** Analyses every path of `source` on `jobs` child processes; `onResult` is called in completion order. */
export async function analyseInProcesses(job: WorkerJob, jobs: number, source: AsyncIterable<string>, onResult: (result: FileResult) => void): Promise<void> {
  const iterator = source[Symbol.asyncIterator]();
  let pulling: Promise<IteratorResult<string>> = Promise.resolve({ done: false, value: "" });
  // One shared pull at a time: the walk is a generator and must not be entered twice.
  async function nextPath(): Promise<string | null> {
    const turn = pulling.then(() => iterator.next());
    pulling = turn;
    const next = await turn;
    return next.done ? null : next.value;
  }
  const children: Child[] = [];
  let restarts = 0;
  let stopped = false;
  async function lane(): Promise<void> {
    let child: Child | null = startChild(job);
    children.push(child);
    for (let path = await nextPath(); path !== null && !stopped; path = await nextPath()) {
      if (child === null) {
        onResult({ path, status: "failed", detections: 0, audioSeconds: 0, error: `${path}: not analysed: the analysis processes kept ending (see the errors above)` });
        continue;
      }
      const { result, alive } = await ask(child, path);
      if (stopped) return;
      onResult(result);
      if (!alive) {
        // A file that kills its process is failed and named; a process that keeps dying stops its lane.
        child = ++restarts <= MAX_RESTARTS ? startChild(job) : null;
        if (child !== null) children.push(child);
      }
    }
    if (child !== null) {
      child.proc.stdin.end();
      await child.proc.exited;
    }
  }
  try {
    await Promise.all(Array.from({ length: jobs }, () => lane()));
  } catch (error) {
    stopped = true;
    throw error;
  } finally {
    for (const child of children) if (child.proc.exitCode === null) child.proc.kill();
  }
}

/** The worker side: reads the job, then answers each path with a FileResult line until stdin closes. */
export async function serveWorker(open: (job: WorkerJob) => Promise<{ analyse(path: string): Promise<FileResult>; close(): Promise<void> }>): Promise<void> {
  const lines = splitLines(Bun.stdin.stream())[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) return;
  const analyser = await open(JSON.parse(first.value) as WorkerJob);
  try {
    for (let next = await lines.next(); !next.done; next = await lines.next()) {
      if (next.value === "") continue;
      try {
        process.stdout.write(`${JSON.stringify(await analyser.analyse(next.value))}\n`);
      } catch (error) {
        if (!isProgramFault(error)) throw error;
        process.stdout.write(`${JSON.stringify({ fault: { code: error.code, message: error.message, help: error.help } })}\n`);
        return;
      }
    }
  } finally {
    await analyser.close();
  }
}
