/**
 * @module SpectrogramCache: the page's spectrogram images, rendered by a short-lived child
 * process (`acoupi spectrogram <id> --out <file> --db <db>`) and kept as files in
 * `$ACOUPI_HOME/cache/spectrograms/`. Rendering outside the runner keeps the FFT and PNG code
 * and their buffers out of the long-running process (in-process rendering raised its RSS by about
 * 15 MB for good, see bench/web.ts); the child's memory goes back to the system when it exits.
 * Renders run one at a time, so a page of images never starts a crowd of processes on a Pi. A
 * file is named after the recording and its detection count, so boxes added after a first view
 * get a fresh image; the oldest files beyond `limit` are removed.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { AcoupiError } from "../errors.ts";
import { logger } from "../log.ts";

export interface SpectrogramCacheOptions {
  dir: string;
  /** argv prefix that runs acoupi (the binary itself, or bun + main.ts). */
  command: readonly string[];
  dbPath: string;
  /** The recordings folder the database's paths are relative to (paths.recordings). */
  recordingsDir?: string | null;
  /** Files kept; default 48. */
  limit?: number;
}

const log = logger("web");
/** The longest one render may take: generous, since a long recording on a Pi takes far longer than a short one here (about a second). */
const RENDER_DEADLINE_MS = 120_000;

export class SpectrogramCache {
  readonly #options: SpectrogramCacheOptions;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: SpectrogramCacheOptions) {
    this.#options = options;
  }

  /** The PNG file for a recording (or the span `view` of it, in real seconds), rendering it first when it is not cached. */
  file(recordingId: string, detections: number, view?: { start: number; end: number }): Promise<string> {
    const span = view === undefined ? "" : `-${view.start.toFixed(3)}-${view.end.toFixed(3)}`;
    const file = join(this.#options.dir, `${recordingId}-${detections}${span}.png`);
    if (existsSync(file)) return Promise.resolve(file);
    const zoom = view === undefined ? [] : ["--start", view.start.toFixed(3), "--end", view.end.toFixed(3)];
    const job = this.#queue.then(() => this.#render(recordingId, file, zoom));
    this.#queue = job.catch(() => undefined);
    return job;
  }

  async #render(recordingId: string, file: string, zoom: readonly string[]): Promise<string> {
    if (existsSync(file)) return file;
    mkdirSync(this.#options.dir, { recursive: true });
    try {
      return await this.#renderOnce(recordingId, file, zoom);
    } catch (error) {
      log.debug(`Rendering the spectrogram of ${recordingId} again after: ${(error as Error).message}`);
      // The newest recording may be filed (moved, its path rewritten) while the child reads it:
      // a second child reads the new path. A lasting failure fails again and is reported.
      return await this.#renderOnce(recordingId, file, zoom);
    }
  }

  async #renderOnce(recordingId: string, file: string, zoom: readonly string[]): Promise<string> {
    const root = this.#options.recordingsDir ? ["--root", this.#options.recordingsDir] : [];
    const child = Bun.spawn([...this.#options.command, "spectrogram", recordingId, ...zoom, "--out", file, "--db", this.#options.dbPath, ...root], {
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
      env: { ...process.env, NO_COLOR: "1" },
    });
    // A child that hangs would hold the queue, and every later image, for good.
    const deadline = setTimeout(() => child.kill("SIGKILL"), RENDER_DEADLINE_MS);
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]).finally(() => clearTimeout(deadline));
    if (code !== 0) throw new AcoupiError("spectrogram", `Cannot render the spectrogram of recording ${recordingId}: ${stderr.trim() || `exit ${code}`}`);
    this.#prune();
    return file;
  }

  #prune(): void {
    const limit = this.#options.limit ?? 48;
    const files = readdirSync(this.#options.dir).filter((f) => f.endsWith(".png"));
    if (files.length <= limit) return;
    const byAge = files.map((f) => ({ f, t: statSync(join(this.#options.dir, f)).mtimeMs })).sort((a, b) => a.t - b.t);
    for (const { f } of byAge.slice(0, files.length - limit)) rmSync(join(this.#options.dir, f), { force: true });
  }
}
