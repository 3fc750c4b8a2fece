import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getDeviceId, parseCpuinfoSerial, readDeviceIdentity } from "../../src/system/device-id.ts";

const dir = mkdtempSync(join(tmpdir(), "acoupi-device-id-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const PI_CPUINFO = [
  "processor\t: 0",
  "BogoMIPS\t: 108.00",
  "",
  "Hardware\t: BCM2835",
  "Revision\t: c03111",
  "Serial\t\t: 100000003ef0a8c1",
  "Model\t\t: Raspberry Pi 4 Model B Rev 1.1",
  "",
].join("\n");
const X86_CPUINFO = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Some CPU\n";
const missing = join(dir, "does-not-exist");

describe("getDeviceId", () => {
  test("it reads the Raspberry Pi serial from the Serial line of cpuinfo", () => {
    const cpuinfoPath = file("cpuinfo-pi", PI_CPUINFO);
    expect(readDeviceIdentity({ cpuinfoPath, deviceTreeSerialPath: missing, machineIdPath: missing })).toEqual({
      id: "100000003ef0a8c1",
      source: "cpuinfo",
    });
  });

  test("it falls back to the device tree serial number when cpuinfo has no serial", () => {
    const cpuinfoPath = file("cpuinfo-x86", X86_CPUINFO);
    const deviceTreeSerialPath = file("serial-number", "e4b2d1c3a5f60718\0");
    expect(readDeviceIdentity({ cpuinfoPath, deviceTreeSerialPath, machineIdPath: missing })).toEqual({
      id: "e4b2d1c3a5f60718",
      source: "device-tree",
    });
  });

  test("an all-zero serial is ignored and the machine id is used instead", () => {
    const cpuinfoPath = file("cpuinfo-zero", "Serial\t\t: 0000000000000000\n");
    const machineIdPath = file("machine-id", "0123456789abcdef0123456789abcdef\n");
    const identity = readDeviceIdentity({ cpuinfoPath, deviceTreeSerialPath: missing, machineIdPath });
    expect(identity.source).toBe("machine-id");
    expect(identity.id).toMatch(/^[0-9a-f]{16}$/);
  });

  test("the id derived from the machine id is the first 16 hex digits of its sha256 and is stable", () => {
    const machineIdPath = file("machine-id-2", "fedcba9876543210fedcba9876543210\n");
    const opts = { cpuinfoPath: missing, deviceTreeSerialPath: missing, machineIdPath };
    const expected = new Bun.CryptoHasher("sha256").update("fedcba9876543210fedcba9876543210").digest("hex").slice(0, 16);
    expect(getDeviceId(opts)).toBe(expected);
    expect(getDeviceId(opts)).toBe(getDeviceId(opts));
  });

  test("different machine ids give different device ids", () => {
    const a = file("machine-id-a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
    const b = file("machine-id-b", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n");
    const base = { cpuinfoPath: missing, deviceTreeSerialPath: missing };
    expect(getDeviceId({ ...base, machineIdPath: a })).not.toBe(getDeviceId({ ...base, machineIdPath: b }));
  });

  test("an override wins over every file", () => {
    const cpuinfoPath = file("cpuinfo-pi-2", PI_CPUINFO);
    expect(readDeviceIdentity({ override: " field-unit-7 ", cpuinfoPath })).toEqual({ id: "field-unit-7", source: "override" });
  });

  test("an empty override is ignored", () => {
    const cpuinfoPath = file("cpuinfo-pi-3", PI_CPUINFO);
    expect(getDeviceId({ override: "", cpuinfoPath })).toBe("100000003ef0a8c1");
  });

  test("with no file at all the id is still a stable 16-digit hex string", () => {
    const opts = { cpuinfoPath: missing, deviceTreeSerialPath: missing, machineIdPath: missing };
    const identity = readDeviceIdentity(opts);
    expect(identity.source).toBe("hostname");
    expect(identity.id).toMatch(/^[0-9a-f]{16}$/);
    expect(getDeviceId(opts)).toBe(identity.id);
  });

  test("on this machine the default sources give a non-empty id", () => {
    expect(getDeviceId().length).toBeGreaterThan(0);
  });

  test("parseCpuinfoSerial returns null for cpuinfo without a Serial line", () => {
    expect(parseCpuinfoSerial(X86_CPUINFO)).toBeNull();
  });
});
