/**
 * @module `acoupi backup --out DIR`: a consistent copy of the sensor's data, safe to take while
 * the runner records. DIR gets `metadata.db` and `messages.db` (SQLite snapshots, never file
 * copies), `recordings/…` (the recordings folder's tree; only new files are copied) and
 * `SHA256SUMS` (check it with `cd DIR && sha256sum -c SHA256SUMS`). The process runs at the
 * lowest CPU priority (which the kernel's I/O schedulers also take as a low I/O priority), and
 * copies at most `--max-rate` bytes per second.
 */
import { setPriority } from "node:os";
import { dirname } from "node:path";
import { defineCommand } from "citty";
import { ConfigError } from "../../errors.ts";
import { loadConfigured } from "../../app/load-program.ts";
import { programSections } from "../../programs/program-sections.ts";
import { runBackup } from "../../backup/backup.ts";
import { relativizeMetadataCopy } from "../../components/stores/relativize-copy.ts";
import { formatBytes, parseRate } from "../../backup/rate.ts";

export default defineCommand({
  meta: { name: "backup", description: "Copy the databases and new recordings into a folder: `acoupi backup --out /media/usb/acoupi`" },
  args: {
    out: { type: "string", description: "The folder to back up into (e.g. a USB stick); created if needed", required: true },
    "max-rate": { type: "string", description: "At most this many bytes per second for recordings (e.g. 10M, 500k; 0: no limit)", default: "32M" },
  },
  async run({ args }) {
    const maxRate = parseRate(args["max-rate"], "max-rate");
    if (args.out.trim() === "") throw new ConfigError("--out is empty: pass the folder to back up into", { key: "out" });
    const { paths, config, programName } = await loadConfigured();
    const c = programSections(config, { program: programName });
    if (c.paths === undefined) {
      throw new ConfigError("The configured program has no paths section (no recordings and no metadata database), so there is nothing to back up", { key: "paths" });
    }
    const p = c.paths;
    const roots = { recordings: p.recordings, tmp: p.tmp_audio };
    try {
      setPriority(19);
    } catch (error) {
      process.stderr.write(`Could not lower this process's priority (${(error as Error).message}); copying at normal priority\n`);
    }
    const result = await runBackup({
      out: args.out,
      sources: { metadata: p.db_metadata, messages: c.messaging?.messages_db ?? null, recordings: p.recordings },
      live: {
        ACOUPI_HOME: paths.home,
        "paths.recordings": p.recordings,
        "paths.tmp_audio": p.tmp_audio,
        "the folder of paths.db_metadata": dirname(p.db_metadata),
      },
      maxRate,
      prepareMetadata: (file) => relativizeMetadataCopy(file, roots),
    });
    process.stdout.write(
      `Backed up ${result.databases.join(" and ")} and ${result.copied} new recordings (${formatBytes(result.copiedBytes)}; ${result.unchanged} already there) into ${result.out}\n`,
    );
    if (result.vanished > 0) process.stdout.write(`${result.vanished} recordings were deleted by retention while the backup ran\n`);
    if (result.tooLarge.length > 0) {
      for (const f of result.tooLarge) {
        process.stderr.write(`Not copied: ${f.path} is ${formatBytes(f.bytes)}, over the 4 GiB file size limit of the FAT file system at ${result.out} (${result.fileSystem})\n`);
      }
      process.stderr.write("Format the medium as exFAT (or ext4) to hold files over 4 GiB, or use shorter recordings (recording.duration)\n");
      process.exitCode = 1;
    }
  },
});
