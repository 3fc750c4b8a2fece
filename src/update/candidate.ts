/**
 * @module The new binary before it replaces the running one: decompressed beside the installed
 * binary (same folder, so the swap is a rename), checked to be built for this machine (the ELF
 * header's machine field, so binfmt_misc cannot hide a wrong download), and asked its version and
 * the database schema versions it knows (`--schema-versions`), so a downgrade onto a newer schema
 * is refused before anything changes.
 */
import { closeSync, openSync, readSync, rmSync } from "node:fs";
import { UpdateError } from "../errors.ts";

/** The release file for this machine. */
export function releaseArch(): "x64" | "arm64" {
  if (process.arch === "x64" || process.arch === "arm64") return process.arch;
  throw new UpdateError(`acoupi releases are built for x64 and arm64, not ${process.arch}`);
}

const ELF_MACHINE: Record<"x64" | "arm64", number> = { x64: 0x3e, arm64: 0xb7 };

function elfMachine(path: string): string {
  const header = new Uint8Array(20);
  const fd = openSync(path, "r");
  try {
    readSync(fd, header, 0, 20, 0);
  } finally {
    closeSync(fd);
  }
  const isElf = header[0] === 0x7f && header[1] === 0x45 && header[2] === 0x4c && header[3] === 0x46;
  if (!isElf) return "not an ELF executable";
  const machine = (header[18] ?? 0) | ((header[19] ?? 0) << 8);
  const name = Object.entries(ELF_MACHINE).find(([, code]) => code === machine)?.[0];
  return name ?? `machine 0x${machine.toString(16)}`;
}

/** Decompresses `xzFile` into `dest` (mode 0755) and checks it is built for this machine. */
export function unpackCandidate(xzFile: string, dest: string, arch: "x64" | "arm64"): void {
  const proc = Bun.spawnSync(["sh", "-c", 'xz -dc "$1" > "$2" && chmod 0755 "$2"', "sh", xzFile, dest], { stderr: "pipe" });
  if (proc.exitCode !== 0) {
    rmSync(dest, { force: true });
    const detail = proc.stderr.toString().trim();
    throw new UpdateError(`Cannot unpack the new binary into ${dest}: ${detail || `exit ${proc.exitCode}`}; the installed binary is unchanged`, {
      help: /space/i.test(detail) ? "Free some space on that disk and try again" : "Check that xz-utils is installed",
    });
  }
  const machine = elfMachine(dest);
  if (machine !== arch) {
    rmSync(dest, { force: true });
    throw new UpdateError(`The downloaded binary is built for ${machine}, not for this ${arch} machine; the installed binary is unchanged`, {
      help: "The release's files are mislabelled: report it to whoever published it",
    });
  }
}

export interface CandidateInfo {
  version: string;
  commit: string;
  /** Schema versions it knows, by database; null when it cannot say (an older acoupi). */
  schemas: { metadata: number; outbox: number } | null;
}

/** Runs the candidate to learn its version and schema versions; a binary that cannot run is refused. */
export function probeCandidate(path: string): CandidateInfo {
  const run = (args: string[]) => Bun.spawnSync([path, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 120_000, env: { ...process.env, ACOUPI_RUNTIME_TUNING: "0" } });
  const version = run(["--version"]);
  const match = /^acoupi (\S+) \((\S+)\)\s*$/.exec(version.stdout.toString());
  if (version.exitCode !== 0 || match === null) {
    const detail = (version.stderr.toString() || version.stdout.toString()).trim().split("\n")[0] ?? "";
    throw new UpdateError(`The new binary does not run here (\`--version\` exited ${version.exitCode}${detail ? `: ${detail}` : ""}); the installed binary is unchanged`);
  }
  const schemasRun = run(["--schema-versions"]);
  let schemas: CandidateInfo["schemas"] = null;
  const reply = /^\{.*\}\s*$/s.test(schemasRun.stdout.toString()) ? (JSON.parse(schemasRun.stdout.toString()) as { metadata?: unknown; outbox?: unknown }) : null;
  // An acoupi older than `--schema-versions` answers with its usage: it cannot say, and null says so.
  if (schemasRun.exitCode === 0 && typeof reply?.metadata === "number" && typeof reply.outbox === "number") {
    schemas = { metadata: reply.metadata, outbox: reply.outbox };
  }
  return { version: match[1] as string, commit: match[2] as string, schemas };
}
