/**
 * Every `acoupi …` command line in the fenced shell blocks of README.md and docs/*.md runs against
 * the compiled binary, in order, page by page, in a sandbox: a temp HOME and ACOUPI_HOME, a fake
 * microphone as ALSA's `default` device, no systemd (ACOUPI_SYSTEMD=0, and systemctl is
 * /bin/true), every setup question answered with Enter (its default). A line passes when acoupi
 * neither refused it (exit 1: a bad flag, key or value) nor hit a bug (exit 2) nor hung; `status`
 * exits 3–7 to tell a verdict, and that counts as running.
 *
 * The marker convention for what cannot run here (documented in docs/README.md):
 * - `<!-- docs-test: skip — REASON -->` on the line before a fenced block skips that block;
 * - `<!-- docs-test: skip \`acoupi logs -f\` — REASON -->` skips the page's lines starting so;
 * - a line with placeholders (`<id>`, `[--user | --system]`, `csv|raven`) is a synopsis and is not
 *   run; test/docs/doc-names.test.ts checks its command and flag names, and those of inline spans.
 * Shell lines other than acoupi run only when harmless here (cp, mkdir, cat, ls, echo, VAR=value);
 * curl, sudo, systemctl and journalctl lines are not acoupi command lines and are left out.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempHome, REPO } from "../../helpers/cli.ts";
import { docLines, docPages, type DocLine } from "../../helpers/doc-commands.ts";
import { createFakeMic, testSignal, type FakeMic } from "../../helpers/fake-mic.ts";
import { buildBinary } from "../../helpers/binaries.ts";

const HARMLESS = /^(?:cp|mkdir|cat|ls|echo|cd)\s|^[A-Za-z_]\w*=(?:"[^"]*"|'[^']*'|\S*)$/;
/** Exit codes that mean acoupi did not run the line: refused (1), a bug (2), timeout (124), killed (137), not found (126, 127). */
const FAILED = new Set([1, 2, 124, 126, 127, 137]);

interface LineResult {
  line: DocLine;
  code: number;
  output: string;
}

function runnable(line: DocLine): boolean {
  if (line.origin !== "block" || line.skip !== null) return false;
  return line.acoupi !== null || HARMLESS.test(line.text);
}

/** The page's runnable lines as one bash script, each bracketed by markers carrying its exit code. */
function pageScript(lines: readonly DocLine[]): string {
  const out = ["exec 2>&1", 'acoupi() { timeout -k 5 150 "$ACOUPI_BIN" "$@" < "$ANSWERS"; }'];
  lines.forEach((line, i) => {
    const text = line.acoupi !== null && /^ssh\s/.test(line.text) ? line.acoupi : line.text;
    out.push(`printf '\\n@@docs-test %d start\\n' ${i}`, text, `printf '\\n@@docs-test %d rc=%d\\n' ${i} "$?"`);
  });
  return `${out.join("\n")}\n`;
}

function parseResults(lines: readonly DocLine[], stdout: string): LineResult[] {
  return lines.map((line, i) => {
    const start = stdout.indexOf(`@@docs-test ${i} start\n`);
    const end = /@@docs-test (\d+) rc=(\d+)/g;
    end.lastIndex = Math.max(start, 0);
    let match: RegExpExecArray | null = end.exec(stdout);
    while (match !== null && Number(match[1]) !== i) match = end.exec(stdout);
    if (start < 0 || match === null) return { line, code: -1, output: "(the line did not run to its end)" };
    return { line, code: Number(match[2]), output: stdout.slice(start + `@@docs-test ${i} start\n`.length, match.index).trim() };
  });
}

/** Runs one page's lines in a fresh sandbox and returns each line's exit code and output. */
async function runPage(binary: string, lines: readonly DocLine[]): Promise<LineResult[]> {
  const home = makeTempHome("acoupi-docs-");
  // Noise for a few seconds, then silence: the device never ends, like a real microphone.
  const mic: FakeMic = await createFakeMic(testSignal(48_000 * 4), { parent: home.home });
  try {
    writeFileSync(join(home.home, ".asoundrc"), mic.configText.replace("pcm.fakemic", "pcm.!default"));
    const answers = join(home.home, "answers.txt");
    writeFileSync(answers, "\n".repeat(500));
    const bin = join(home.home, "bin");
    mkdirSync(bin);
    const env = { ...process.env, ...home.env, ACOUPI_BIN: binary, ANSWERS: answers, ACOUPI_SYSTEMCTL: "/bin/true", ACOUPI_LOGINCTL: "/bin/true", ACOUPI_SYSTEMD_DIR: join(home.home, "units"), MQTT_PASSWORD: "docs-test-secret" };
    const proc = Bun.spawn(["bash", "-c", pageScript(lines)], { cwd: home.home, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const stdout = await new Response(proc.stdout).text();
    await proc.exited;
    return parseResults(lines, stdout);
  } finally {
    // A runner the page started (ACOUPI_SYSTEMD=0: a background process) is stopped with the page.
    Bun.spawnSync([binary, "stop"], { env: { ...process.env, ...home.env }, cwd: home.home, stdin: "ignore", timeout: 60_000 });
    await mic.cleanup();
    home.cleanup();
  }
}

function describeFailure(r: LineResult): string {
  return `${r.line.file}:${r.line.line}: \`${r.line.text}\` exited ${r.code}\n${r.output.split("\n").slice(-12).map((l) => `    ${l}`).join("\n")}`;
}

/** The lines of a page that failed: an acoupi line refused or crashed, or a shell line that failed. */
function failures(results: readonly LineResult[]): string[] {
  return results.filter((r) => (r.line.acoupi !== null ? FAILED.has(r.code) || r.code < 0 : r.code !== 0)).map(describeFailure);
}

describe("the commands in the docs", () => {
  let binary: string;
  beforeAll(() => {
    binary = buildBinary("x64");
  }, 180_000);

  for (const page of docPages(REPO)) {
    const lines = docLines(page, REPO).filter(runnable);
    if (!lines.some((l) => l.acoupi !== null)) continue;
    test(`every acoupi command line of ${page.slice(REPO.length + 1)} runs against the compiled binary`, async () => {
      const results = await runPage(binary, lines);
      for (const r of results) console.log(`${r.line.file}:${r.line.line} exit ${r.code}: ${r.line.text}`);
      expect(failures(results)).toEqual([]);
      expect(results.filter((r) => r.line.acoupi !== null).length).toBeGreaterThan(0);
    }, 600_000);
  }
});
