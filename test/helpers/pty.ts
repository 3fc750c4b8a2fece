/**
 * @module Drives an acoupi command through a real pseudo-terminal (python3's pty module, see
 * pty-drive.py): each step waits for a prompt and types an answer, so the terminal echoes what a
 * person would see, and a secret read with echo off leaves no trace in the transcript.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { acoupiCommand, REPO } from "./cli.ts";

export interface PtyStep {
  /** A regex the output must show before `send` is typed. */
  expect: string;
  /** The keystrokes, e.g. "5\r" for an answer and Enter. */
  send: string;
}

export interface PtyResult {
  transcript: string;
  code: number;
  /** The step whose prompt never came, if one did not. */
  failed: { index: number; expect: string } | null;
}

export function runOnPty(args: string[], steps: PtyStep[], env: Record<string, string>): PtyResult {
  const dir = mkdtempSync(join(tmpdir(), "acoupi-pty-"));
  try {
    const stepsFile = join(dir, "steps.json");
    writeFileSync(stepsFile, JSON.stringify(steps));
    const proc = Bun.spawnSync(["python3", join(import.meta.dir, "pty-drive.py"), stepsFile, "--", ...acoupiCommand(), ...args], {
      env: { ...process.env, ...env, TERM: "dumb" },
      cwd: REPO,
      timeout: 120_000,
    });
    const out = proc.stdout.toString();
    if (proc.exitCode !== 0) throw new Error(`pty-drive failed (${proc.exitCode}): ${proc.stderr.toString()}${out}`);
    return JSON.parse(out) as PtyResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
