/**
 * @module Records a full interactive `acoupi setup --program connected` on a real pseudo-terminal
 * (test/helpers/pty-drive.py), with a few wrong answers on the way, into
 * .tmp/setup-connected-transcript.txt, followed by `acoupi config diff`. The home is a temp
 * folder; the answers are in setup-transcript.steps.json. Run: `bun scripts/setup-transcript.ts`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const repo = join(import.meta.dir, "..");
const home = mkdtempSync(join(tmpdir(), "acoupi-transcript-"));
const env = { ...process.env, HOME: home, ACOUPI_HOME: join(home, ".acoupi"), NO_COLOR: "1", ACOUPI_SYSTEMD: "0", ACOUPI_DEVICE_ID: "rpi-sensor-07", TZ: "Europe/London", TERM: "dumb" };
const acoupi = [process.execPath, join(repo, "src/cli/main.ts")];
try {
  const drive = Bun.spawnSync(["python3", join(repo, "test/helpers/pty-drive.py"), join(import.meta.dir, "setup-transcript.steps.json"), "--", ...acoupi, "setup", "--program", "connected"], { env, cwd: repo });
  const run = JSON.parse(drive.stdout.toString()) as { transcript: string; code: number; failed: unknown };
  if (run.failed !== null || run.code !== 0) throw new Error(`setup did not finish: ${JSON.stringify(run.failed)} (exit ${run.code})\n${run.transcript}`);
  const diff = Bun.spawnSync([...acoupi, "config", "diff"], { env, cwd: repo }).stdout.toString();
  const text = `$ acoupi setup --program connected\n${run.transcript.replaceAll("\r\n", "\n").replaceAll("\r", "")}\n$ acoupi config diff\n${diff}`;
  mkdirSync(join(repo, ".tmp"), { recursive: true });
  writeFileSync(join(repo, ".tmp/setup-connected-transcript.txt"), text);
  process.stdout.write(`Wrote .tmp/setup-connected-transcript.txt\n`);
} finally {
  rmSync(home, { recursive: true, force: true });
}
