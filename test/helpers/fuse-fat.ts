/**
 * @module A FAT32 or exFAT file system for tests, as a USB stick would have: an image file made
 * with Debian's mkfs.vfat / mkfs.exfat and mounted through FUSE (`fusefat`, `mount.exfat-fuse`),
 * since this kernel has no vfat module. exfat-fuse wants a block device, so its image is attached
 * to a loop device first. Needs /dev/fuse (and losetup for exFAT) and the packages in
 * scripts/system-deps.sh.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export type FatKind = "vfat" | "exfat";

export interface FatMount {
  dir: string;
  image: string;
  unmount(): Promise<void>;
}

function has(command: string): boolean {
  return Bun.spawnSync(["sh", "-c", `command -v ${command}`]).exitCode === 0;
}

/** Whether this machine can mount `kind` through FUSE (and why not). */
export function fuseProblem(kind: FatKind): string | null {
  if (!existsSync("/dev/fuse")) return "there is no /dev/fuse";
  try {
    accessSync("/dev/fuse", constants.R_OK | constants.W_OK);
  } catch (error) {
    return `/dev/fuse cannot be opened (${(error as NodeJS.ErrnoException).code})`;
  }
  if (kind === "exfat" && process.getuid?.() !== 0) return "attaching a loop device for exFAT needs root";
  const tools = kind === "vfat" ? ["mkfs.vfat", "fusefat"] : ["mkfs.exfat", "mount.exfat-fuse", "losetup"];
  const missing = tools.filter((t) => !has(t));
  return missing.length === 0 ? null : `${missing.join(", ")} missing (scripts/system-deps.sh installs them)`;
}

function mounted(dir: string): boolean {
  return readFileSync("/proc/self/mounts", "utf8").split("\n").some((line) => line.split(" ")[1] === dir);
}

/** Makes a `sizeMb` image in `parent` and mounts it at `parent/mnt`. */
export async function mountFat(kind: FatKind, parent: string, sizeMb: number): Promise<FatMount> {
  const image = join(parent, `${kind}.img`);
  const dir = join(parent, "mnt");
  mkdirSync(dir, { recursive: true });
  const run = (argv: string[]): string => {
    const proc = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
    if (proc.exitCode !== 0) throw new Error(`${argv.join(" ")} failed: ${proc.stderr.toString()}`);
    return proc.stdout.toString().trim();
  };
  let loop: string | null = null;
  run(["truncate", "-s", `${sizeMb}M`, image]);
  if (kind === "vfat") {
    run(["mkfs.vfat", "-F", "32", image]);
    run(["fusefat", "-o", "rw+", image, dir]);
  } else {
    run(["mkfs.exfat", image]);
    loop = run(["losetup", "-f", "--show", image]);
    run(["mount.exfat-fuse", loop, dir]);
  }
  for (let i = 0; i < 100 && !mounted(dir); i++) await Bun.sleep(50);
  if (!mounted(dir)) throw new Error(`${image} did not mount at ${dir}`);
  return {
    dir,
    image,
    async unmount() {
      for (let i = 0; i < 50 && mounted(dir); i++) {
        Bun.spawnSync(["fusermount", "-u", dir], { stdout: "ignore", stderr: "ignore" });
        if (mounted(dir)) Bun.spawnSync(["fusermount3", "-u", dir], { stdout: "ignore", stderr: "ignore" });
        if (mounted(dir)) await Bun.sleep(100);
      }
      if (loop !== null) Bun.spawnSync(["losetup", "-d", loop]);
    },
  };
}
