/**
 * Reliability: a model that throws on every recording, on the compiled binary with the fake
 * microphone. Issue 27: "With `file_management.on_timeout: save` and a model that throws on every
 * recording, all 8 recordings were deleted while the log said "saving it" 8 times: the saving
 * rules ran on "no detections" and said no." Here the `detection` deployment's model file is not
 * a model, so each run fails. Every recording must be saved whole into
 * `paths.recordings/unprocessed/` (none discarded), the failures must be counted per model with
 * the last error in the status file and in the heartbeats, and three in a row make the runner
 * degraded (`acoupi status` exits 5).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { absolutePathSql } from "../../helpers/stored-path.ts";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { busySetupArgs, deploy, mustRun, readStatusFile, binaryUnderTest, statusJsonAsync, terminate, waitFor, type Deployment } from "../../helpers/deployment.ts";

interface Row {
  id: string;
  path: string | null;
  state: string;
}

function rows(rig: Deployment): Row[] {
  if (!existsSync(rig.files.metadata)) return [];
  const db = new Database(rig.files.metadata, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 5000");
    const created = db.query<{ n: number }, []>("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'recordings'").get()?.n ?? 0;
    if (created === 0) return [];
    return db.query<Row, []>(`SELECT id, ${absolutePathSql({ recordings: rig.files.recordings, tmp: rig.files.tmp })} AS path, state FROM recordings`).all();
  } finally {
    db.close();
  }
}

function heartbeats(rig: Deployment): string[] {
  const db = new Database(rig.files.messages, { readonly: true });
  try {
    db.run("PRAGMA busy_timeout = 5000");
    return db.query<{ content: string }, []>("SELECT content FROM messages WHERE kind = 'heartbeat' ORDER BY created_on").all().map((r) => r.content);
  } finally {
    db.close();
  }
}

describe("a model that throws on every recording, with on_timeout: save", () => {
  let rig: Deployment;
  beforeAll(() => {
    rig = deploy({ binary: binaryUnderTest(), micSeconds: 30 });
    const broken = join(rig.dir, "broken.onnx");
    writeFileSync(broken, "this is not an ONNX model\n");
    mustRun(rig, busySetupArgs({ extra: ["--model.path", broken, "--file_management.on_timeout", "save", "--file_management.max_wait", "2"] }));
  }, 180_000);
  afterAll(() => rig?.cleanup());

  test("saves every recording into paths.recordings/unprocessed/, counts the failures per model, and is degraded after three in a row", async () => {
    const runner = rig.spawn(["start", "--name", "broken-model", "--no-check", "--foreground"], { ACOUPI_STATUS_INTERVAL: "0.5" });
    try {
      // At least 8 recordings handled (no longer in temp), as in the issue.
      await waitFor("8 recordings handled", () => rows(rig).filter((r) => r.state !== "temp").length >= 8, 60_000);
      const status = await waitFor("the model's failures in the status file", () => {
        const s = readStatusFile(rig);
        const figures = s?.components.models ?? {};
        const failed = Object.entries(figures).find(([key]) => key.endsWith(".failed"));
        return s !== null && failed !== undefined && Number(failed[1]) >= 3 ? s : undefined;
      });
      const figures = status.components.models ?? {};
      const model = Object.keys(figures).find((key) => key.endsWith(".failed"))?.replace(/\.failed$/, "") ?? "";
      expect(Number(figures[`${model}.failures_in_row`])).toBeGreaterThanOrEqual(3);
      expect(String(figures[`${model}.last_error`])).not.toBe("null");
      expect(status.degraded.join("; ")).toContain(`model ${model} failed`);
      expect(status.degraded.join("; ")).toContain("times in a row");
      const report = await statusJsonAsync(rig);
      expect(report.exitCode).toBe(5);
      await waitFor("a heartbeat with the model's failures", () => heartbeats(rig).some((h) => h.includes(`model_failed.${model}`)), 20_000);
      expect(heartbeats(rig).at(-1)).toContain(`failed`);
    } finally {
      expect(await terminate(runner)).toBe(0);
    }
    const handled = rows(rig).filter((r) => r.state !== "temp");
    expect(handled.length).toBeGreaterThanOrEqual(8);
    const unprocessed = join(rig.files.recordings, "unprocessed");
    for (const row of handled) {
      expect({ id: row.id, state: row.state }).toEqual({ id: row.id, state: "saved" });
      expect(row.path?.startsWith(`${unprocessed}/`)).toBe(true);
      expect(existsSync(row.path ?? "")).toBe(true);
    }
    expect(rows(rig).filter((r) => r.state === "discarded")).toEqual([]);
  }, 120_000);
});
