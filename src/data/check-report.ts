/**
 * @module What one health check found: the part it tested, lines that say what it saw (the
 * device opened, the rate granted, the level captured, a model's shapes, the broker reached), and
 * warnings that do not stop a deployment (a silent microphone, an unreachable broker at start).
 * `acoupi check` prints them, so a pass says what passed.
 */
export interface CheckReport {
  subject: string;
  lines: string[];
  warnings: string[];
  /** Set by `acoupi check`, which runs every check even after one fails: what failed and what to do. */
  failures?: Array<{ message: string; help?: string }>;
}

export function isCheckReport(value: unknown): value is CheckReport {
  const v = value as Partial<CheckReport> | null;
  return v !== null && typeof v === "object" && typeof v.subject === "string" && Array.isArray(v.lines) && Array.isArray(v.warnings);
}

/** The level of 16-bit samples in dBFS (full scale 32768); -Infinity for silence. */
export function dbfs(value: number): number {
  return value <= 0 ? Number.NEGATIVE_INFINITY : 20 * Math.log10(value / 32768);
}

export function formatDbfs(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(1)} dBFS` : "-inf dBFS";
}
