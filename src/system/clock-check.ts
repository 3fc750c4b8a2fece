/**
 * @module Is the clock right? A Pi has no battery-backed clock unless a real-time clock (RTC)
 * board is fitted: after a power cut offline it starts at the last time it saved, and recordings
 * are named and stamped wrong until NTP corrects it. This check reads whether systemd says the
 * clock is synchronised (`timedatectl show -p NTPSynchronized`) and whether an RTC exists
 * (`/sys/class/rtc/rtc0`). ACOUPI_TIMEDATECTL and ACOUPI_RTC_DIR point them elsewhere in tests.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckReport } from "../data/check-report.ts";

function ntpSynchronised(env: NodeJS.ProcessEnv): boolean | null {
  const command = env.ACOUPI_TIMEDATECTL || "timedatectl";
  try {
    const proc = Bun.spawnSync([command, "show", "-p", "NTPSynchronized", "--value"], { stdout: "pipe", stderr: "pipe", timeout: 5000 });
    if (proc.exitCode !== 0) return null;
    const value = proc.stdout.toString().trim();
    return value === "yes" ? true : value === "no" ? false : null;
  } catch (error) {
    // No timedatectl here (not a systemd machine): the answer is "cannot tell", said in the report.
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || /ENOENT|not found/i.test(String(error))) return null;
    throw error;
  }
}

function rtcName(env: NodeJS.ProcessEnv): string | null {
  const dir = env.ACOUPI_RTC_DIR || "/sys/class/rtc";
  const rtc = join(dir, "rtc0");
  if (!existsSync(rtc)) return null;
  const nameFile = join(rtc, "name");
  return existsSync(nameFile) ? readFileSync(nameFile, "utf8").trim() || "rtc0" : "rtc0";
}

export function clockCheck(now: Date = new Date(), env: NodeJS.ProcessEnv = process.env): CheckReport {
  const synced = ntpSynchronised(env);
  const rtc = rtcName(env);
  const time = `${now.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const rtcText = rtc === null ? "no real-time clock" : `real-time clock ${rtc}`;
  const lines: string[] = [];
  const warnings: string[] = [];
  if (synced === true) lines.push(`${time}, synchronised by NTP; ${rtcText}`);
  else if (synced === null) lines.push(`${time}; NTP state unknown here (no timedatectl); ${rtcText}`);
  else if (rtc === null) warnings.push(`${time}, not synchronised by NTP, ${rtcText}: offline after a power cut the time is wrong until NTP (docs/time.md)`);
  else lines.push(`${time}, not synchronised by NTP; kept by the ${rtcText}`);
  return { subject: "clock", lines, warnings };
}
