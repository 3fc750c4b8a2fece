/**
 * @module Binary size and start-up time. Builds both release binaries with build.ts (xz included,
 * as a release does) and prints their raw and xz sizes; then times `acoupi --help` and
 * `acoupi status` (after `setup --program test`) as the compiled x64 binary, from source with
 * Bun, and Bun running a one-line script as the runtime's own floor, side by side: median, min and max of
 * RUNS runs each, after one untimed run. The page cache is warm (dropping it needs privileges),
 * so these are process start-up costs, not disk reads. Figures only, no assertions.
 * Run: ./node_modules/.bin/bun bench/startup.ts [runs]
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..");
const RUNS = Math.max(10, Number(process.argv[2] ?? 20));
const out = mkdtempSync(join(tmpdir(), "acoupi-bench-startup-"));
const home = join(out, "home");
const env = { ...process.env, HOME: home, ACOUPI_HOME: join(home, ".acoupi"), NO_COLOR: "1", ACOUPI_SYSTEMD: "0", ACOUPI_DEVICE_ID: "bench" };

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function build(): void {
  const started = performance.now();
  const proc = Bun.spawnSync([process.execPath, "build.ts", "--outdir", out], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`build.ts failed: ${proc.stderr.toString()}`);
  console.log(`build.ts (x64 + arm64, with xz): ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  console.log("| binary | raw | xz | xz ratio |\n|---|---|---|---|");
  for (const target of ["x64", "arm64"]) {
    const raw = statSync(join(out, `acoupi-linux-${target}`)).size;
    const xz = statSync(join(out, `acoupi-linux-${target}.xz`)).size;
    console.log(`| acoupi-linux-${target} | ${mb(raw)} | ${mb(xz)} | ${(xz / raw).toFixed(2)} |`);
  }
  console.log("");
}

function timeRuns(argv: string[]): { median: number; min: number; max: number } {
  const run = () => {
    const started = performance.now();
    const proc = Bun.spawnSync(argv, { env, cwd: out, stdin: "ignore", stdout: "ignore", stderr: "ignore" });
    const elapsed = performance.now() - started;
    if (proc.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${proc.exitCode}`);
    return elapsed;
  };
  run();
  const times = Array.from({ length: RUNS }, run).sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const median = times.length % 2 === 1 ? (times[mid] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
  return { median, min: times[0] as number, max: times[times.length - 1] as number };
}

function main(): void {
  build();
  const binary = join(out, "acoupi-linux-x64");
  const source = [process.execPath, join(ROOT, "src/cli/main.ts")];
  const setup = Bun.spawnSync([binary, "setup", "--program", "test", "--no-prompt"], { env, stdout: "ignore", stderr: "pipe" });
  if (setup.exitCode !== 0) throw new Error(`setup failed: ${setup.stderr.toString()}`);
  const floor = join(out, "floor.js");
  writeFileSync(floor, 'process.stdout.write("ok\\n");\n');
  const rows: Array<[string, string[]]> = [
    ["bun one-line script (runtime floor)", [process.execPath, floor]],
    ["compiled x64: --help", [binary, "--help"]],
    ["from source: --help", [...source, "--help"]],
    ["compiled x64: status", [binary, "status"]],
    ["from source: status", [...source, "status"]],
  ];
  console.log(`Start-up, ${RUNS} runs each (ms)\n`);
  console.log("| command | median | min | max |\n|---|---|---|---|");
  const medians = new Map<string, number>();
  for (const [label, argv] of rows) {
    const { median, min, max } = timeRuns(argv);
    medians.set(label, median);
    console.log(`| ${label} | ${median.toFixed(1)} | ${min.toFixed(1)} | ${max.toFixed(1)} |`);
  }
  const ratio = (a: string, b: string) => ((medians.get(a) as number) / (medians.get(b) as number)).toFixed(2);
  console.log(`\ncompiled / source: --help ${ratio("compiled x64: --help", "from source: --help")}×, status ${ratio("compiled x64: status", "from source: status")}×`);
  console.log(`compiled --help / runtime floor: ${ratio("compiled x64: --help", "bun one-line script (runtime floor)")}×`);
}

try {
  main();
} finally {
  rmSync(out, { recursive: true, force: true });
}
