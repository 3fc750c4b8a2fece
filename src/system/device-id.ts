/**
 * @module The device id: the name a sensor goes by in MQTT client ids and topics, heartbeats,
 * GUANO `Serial` and file names. On a Raspberry Pi it is the board serial, as acoupi reads it
 * (the `Serial` line of /proc/cpuinfo, or the device tree's serial-number on boards whose
 * cpuinfo lacks it). Elsewhere it is derived from /etc/machine-id, which is stable across
 * reboots, unlike acoupi's fallback (the MAC address) which changes with the network card.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";

export interface DeviceIdOptions {
  /** A configured id; wins over everything when non-empty. */
  override?: string;
  cpuinfoPath?: string;
  deviceTreeSerialPath?: string;
  /** Where to read the machine id; defaults to /etc/machine-id, then /var/lib/dbus/machine-id. */
  machineIdPath?: string;
}

export type DeviceIdSource = "override" | "cpuinfo" | "device-tree" | "machine-id" | "hostname";

export interface DeviceIdentity {
  id: string;
  source: DeviceIdSource;
}

const CPUINFO_PATH = "/proc/cpuinfo";
const DEVICE_TREE_SERIAL_PATH = "/sys/firmware/devicetree/base/serial-number";
const MACHINE_ID_PATHS = ["/etc/machine-id", "/var/lib/dbus/machine-id"];

function readText(path: string): string | null {
  if (!existsSync(path)) return null;
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    // An unreadable file is as good as a missing one here: the next source is tried.
    if (error instanceof Error && "code" in error && (error.code === "EACCES" || error.code === "EISDIR")) return null;
    throw error;
  }
}

/** A serial made only of zeros is what VMs and some boards report: it identifies nothing. */
function usableSerial(serial: string): string | null {
  const cleaned = serial.replace(/\0/g, "").trim();
  if (!/^[0-9a-fA-F]+$/.test(cleaned) || /^0+$/.test(cleaned)) return null;
  return cleaned.toLowerCase();
}

/** The `Serial` line of a /proc/cpuinfo text, or null. */
export function parseCpuinfoSerial(cpuinfo: string): string | null {
  for (const line of cpuinfo.split("\n")) {
    const match = /^Serial\s*:\s*(\S+)/.exec(line);
    if (match?.[1] !== undefined) return usableSerial(match[1]);
  }
  return null;
}

function hashId(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** Finds the device id and tells where it came from. */
export function readDeviceIdentity(opts: DeviceIdOptions = {}): DeviceIdentity {
  const override = opts.override?.trim();
  if (override) return { id: override, source: "override" };

  const cpuinfo = readText(opts.cpuinfoPath ?? CPUINFO_PATH);
  const cpuSerial = cpuinfo === null ? null : parseCpuinfoSerial(cpuinfo);
  if (cpuSerial !== null) return { id: cpuSerial, source: "cpuinfo" };

  const treeSerial = readText(opts.deviceTreeSerialPath ?? DEVICE_TREE_SERIAL_PATH);
  const treeId = treeSerial === null ? null : usableSerial(treeSerial);
  if (treeId !== null) return { id: treeId, source: "device-tree" };

  for (const path of opts.machineIdPath !== undefined ? [opts.machineIdPath] : MACHINE_ID_PATHS) {
    const machineId = readText(path)?.trim();
    if (machineId) return { id: hashId(machineId), source: "machine-id" };
  }
  return { id: hashId(`hostname:${hostname()}`), source: "hostname" };
}

// Control characters are what this matches.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why `id` cannot be a device id, or null when it can. The id becomes one MQTT topic level, a
 * file-name field and a GUANO value, so it may not be empty or hold an MQTT wildcard (+, #), a
 * `/` or a control character.
 */
export function deviceIdProblem(id: string): string | null {
  if (id.trim() === "") return "it is empty";
  if (/[+#]/.test(id)) return "it contains an MQTT wildcard (+ or #)";
  if (id.includes("/")) return "it contains a /";
  if (CONTROL_RE.test(id)) return "it contains a control character";
  return null;
}

/** The device id: the Pi serial, else 16 hex digits of sha256(machine-id), unless overridden. */
export function getDeviceId(opts: DeviceIdOptions = {}): string {
  return readDeviceIdentity(opts).id;
}
