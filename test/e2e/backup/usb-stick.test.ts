/**
 * `acoupi backup` onto the file systems of a USB stick: FAT32 and exFAT images mounted through
 * FUSE (no symlinks, no chmod; FAT32's 4 GiB file limit), and a destination that fills up part
 * way (a small FAT32 image), which must stop naming it and leave the last complete backup intact.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fuseProblem, mountFat, type FatKind, type FatMount } from "../../helpers/fuse-fat.ts";
import { makeSensor, sha256Check, type Sensor } from "../../helpers/backup-sensor.ts";

let sensor: Sensor | null = null;
let mount: FatMount | null = null;
afterEach(async () => {
  await mount?.unmount();
  mount = null;
  sensor?.home.cleanup();
  sensor = null;
});

for (const kind of ["vfat", "exfat"] as FatKind[]) {
  const problem = fuseProblem(kind);
  if (problem !== null) console.warn(`Skipping the ${kind} backup tests: ${problem}`);
  describe.skipIf(problem !== null)(`acoupi backup onto ${kind} through FUSE`, () => {
    test(`an incremental backup onto ${kind} passes sha256sum -c`, async () => {
      sensor = makeSensor();
      mount = await mountFat(kind, sensor.home.home, 48);
      const out = join(mount.dir, "acoupi");
      const first = sensor.acoupi(["backup", "--out", out]);
      expect(first.code, first.stderr).toBe(0);
      expect(sha256Check(out).code).toBe(0);
      writeFileSync(join(sensor.recordings, "2024/05/02/late.wav"), readFileSync(join(sensor.recordings, "2024/05/02/rec4.wav")));
      const second = sensor.acoupi(["backup", "--out", out]);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain("1 new recordings");
      const check = sha256Check(out);
      expect(check.code, check.output).toBe(0);
      expect(check.output.match(/: OK/g)?.length).toBe(7);
    }, 60_000);
  });
}

describe.skipIf(fuseProblem("vfat") !== null)("acoupi backup onto a FAT32 stick that is too small", () => {
  test("an RF64 recording over 4 GiB is named as not fitting FAT32, and the rest is backed up", async () => {
    sensor = makeSensor();
    mount = await mountFat("vfat", sensor.home.home, 48);
    const huge = join(sensor.recordings, "2024/05/03/night.wav");
    mkdirSync(join(sensor.recordings, "2024/05/03"), { recursive: true });
    writeFileSync(huge, "RF64");
    truncateSync(huge, 5 * 1024 ** 3); // sparse: 5 GiB that take no disk
    const out = join(mount.dir, "acoupi");
    const result = sensor.acoupi(["backup", "--out", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("recordings/2024/05/03/night.wav is 5.0 GiB, over the 4 GiB file size limit of the FAT file system");
    expect(result.stderr).toContain("exFAT");
    expect(existsSync(join(out, "recordings/2024/05/03/night.wav"))).toBe(false);
    const check = sha256Check(out);
    expect(check.code, check.output).toBe(0);
    expect(check.output.match(/: OK/g)?.length).toBe(6);
  }, 60_000);

  test("a destination that fills up stops with a message naming it, and the last complete backup stays intact", async () => {
    sensor = makeSensor();
    mount = await mountFat("vfat", sensor.home.home, 34);
    const out = join(mount.dir, "acoupi");
    expect(sensor.acoupi(["backup", "--out", out]).code).toBe(0);
    const manifest = readFileSync(join(out, "SHA256SUMS"), "utf8");
    const metadata = readFileSync(join(out, "metadata.db"));
    mkdirSync(join(sensor.recordings, "2024/05/04"), { recursive: true });
    writeFileSync(join(sensor.recordings, "2024/05/04/a.wav"), Buffer.alloc(20 << 20, 1));
    writeFileSync(join(sensor.recordings, "2024/05/04/b.wav"), Buffer.alloc(20 << 20, 2));
    const full = sensor.acoupi(["backup", "--out", out, "--max-rate", "0"], { timeoutMs: 120_000 });
    expect(full.code).not.toBe(0);
    expect(full.stderr).toContain(`The backup destination "${out}" is full`);
    expect(full.stderr).toContain("the last complete backup there is intact");
    expect(readFileSync(join(out, "SHA256SUMS"), "utf8")).toBe(manifest);
    expect(readFileSync(join(out, "metadata.db")).equals(metadata)).toBe(true);
    const check = sha256Check(out);
    expect(check.code, check.output).toBe(0);
    expect(readdirSync(out).filter((n) => n.includes("partial"))).toEqual([]);
  }, 180_000);
});
