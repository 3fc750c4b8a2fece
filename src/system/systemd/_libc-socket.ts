/**
 * @module The few libc calls sd_notify needs (bound in native/libc.ts): `socket(AF_UNIX, SOCK_DGRAM |
 * SOCK_CLOEXEC)`, `sendto` with a `sockaddr_un` built in a buffer, and `close`. libc is opened
 * on first use only (never at import), so a process without NOTIFY_SOCKET never loads it. The
 * constants are Linux's generic ones, the same on x86_64 and aarch64.
 */
import { errno, libc, strerror } from "../../../native/libc.ts";

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_NOSIGNAL = 0x4000;
/** sizeof(sun_path) in struct sockaddr_un on Linux. */
const SUN_PATH_MAX = 108;

function lastError(call: string): Error {
  const code = errno();
  return new Error(`${call} failed: ${strerror(code)} (errno ${code})`);
}

/**
 * A `struct sockaddr_un` for `address` and its length. A leading "@" names an abstract socket
 * (a NUL first byte, no trailing NUL), as systemd and sd_notify(3) spell it.
 */
export function sockaddrUn(address: string): { addr: Uint8Array; length: number } {
  const abstract = address.startsWith("@");
  const path = Buffer.from(abstract ? `\0${address.slice(1)}` : address, "utf8");
  const room = abstract ? SUN_PATH_MAX : SUN_PATH_MAX - 1;
  if (path.length === 0 || path.length > room) {
    throw new Error(`Socket address "${address}" does not fit in sockaddr_un (${path.length} bytes, at most ${room})`);
  }
  const addr = new Uint8Array(2 + SUN_PATH_MAX);
  new DataView(addr.buffer).setUint16(0, AF_UNIX, true);
  addr.set(path, 2);
  // Abstract names are exactly their bytes; filesystem paths include the terminating NUL.
  return { addr, length: 2 + path.length + (abstract ? 0 : 1) };
}

/** Sends one datagram to the unix socket at `address`; throws an Error that names the failing call. */
export function sendUnixDatagram(address: string, payload: Uint8Array): void {
  const lib = libc();
  const { addr, length } = sockaddrUn(address);
  const fd = lib.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw lastError("socket(AF_UNIX, SOCK_DGRAM)");
  try {
    const sent = Number(lib.sendto(fd, payload, payload.length, MSG_NOSIGNAL, addr, length));
    if (sent < 0) throw lastError(`sendto(${address})`);
  } finally {
    lib.close(fd);
  }
}
