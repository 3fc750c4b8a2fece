/**
 * @module `acoupi self-update [--from URL|FOLDER] [--check] [--percent N]`: installs the release
 * at `update.url` (or ACOUPI_RELEASE_URL, or --from), verified by signature and checksum, and
 * rolls it back when the new runner does not record within `update.health_deadline_s`
 * (docs/install.md, "Updating"). The steps are in _apply.ts.
 */
import { defineCommand } from "citty";
import { ConfigError } from "../../../errors.ts";
import { selfUpdate } from "./_apply.ts";

export default defineCommand({
  meta: { name: "self-update", description: "Install the latest verified release, rolling back if the new runner does not record" },
  args: {
    from: { type: "string", description: "Release URL, or a folder (USB stick) holding the release files; default update.url or ACOUPI_RELEASE_URL" },
    check: { type: "boolean", description: "Only say whether a newer release is available", default: false },
    percent: { type: "string", description: "Staged rollout: update only if this device's id hashes into the first N of 100 buckets" },
  },
  async run({ args }) {
    let percent: number | undefined;
    if (args.percent !== undefined) {
      percent = Number(args.percent);
      if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
        throw new ConfigError(`--percent ${args.percent} is not a whole number from 0 to 100`, { help: "For example `--percent 10` updates about one device in ten" });
      }
    }
    process.exitCode = await selfUpdate({
      ...(args.from === undefined ? {} : { from: args.from }),
      check: args.check,
      ...(percent === undefined ? {} : { percent }),
      say: (line) => process.stdout.write(`${line}\n`),
    });
  },
});
