/**
 * @module The machine's own clock since boot, readable by any process: the boot id
 * (/proc/sys/kernel/random/boot_id) and the seconds since boot (/proc/uptime, which counts on
 * the kernel's monotonic clock). Two processes that read it agree on elapsed time however the
 * wall clock is stepped, so `acoupi status` can tell how old the runner's status file is even
 * after NTP set the clock back.
 */
import { readFileSync } from "node:fs";

export interface BootInstant {
  bootId: string;
  /** Seconds since boot, at 10 ms resolution. */
  uptimeS: number;
}

export function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "unknown";
    throw error;
  }
}

/** Now on the boot clock, or null where /proc does not offer it. */
export function bootInstant(): BootInstant | null {
  let text: string;
  try {
    text = readFileSync("/proc/uptime", "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const uptimeS = Number.parseFloat(text.split(" ")[0] ?? "");
  return Number.isFinite(uptimeS) ? { bootId: bootId(), uptimeS } : null;
}
