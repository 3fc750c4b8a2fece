/**
 * @module The few libc calls sd_notify needs, through bun:ffi: `socket(AF_UNIX, SOCK_DGRAM |
 * SOCK_CLOEXEC)`, `sendto` with a `sockaddr_un` built in a buffer, and `close`. libc is opened
 * on first use only (never at import), so a process without NOTIFY_SOCKET never loads it. The
 * constants are Linux's generic ones, the same on x86_64 and aarch64.
 */
import { dlopen, FFIType as T, read } from "bun:ffi";

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const MSG_NOSIGNAL = 0x4000;
/** sizeof(sun_path) in struct sockaddr_un on Linux. */
const SUN_PATH_MAX = 108;

const LIBC_SYMBOLS = {
  socket: { args: [T.i32, T.i32, T.i32], returns: T.i32 },
  sendto: { args: [T.i32, T.ptr, T.u64, T.i32, T.ptr, T.u32], returns: T.i64 },
  close: { args: [T.i32], returns: T.i32 },
  __errno_location: { args: [], returns: T.ptr },
  strerror: { args: [T.i32], returns: T.cstring },
} as const;

type LibcSymbols = ReturnType<typeof dlopen<typeof LIBC_SYMBOLS>>["symbols"];
let libc: LibcSymbols | undefined;

function symbols(): LibcSymbols {
  libc ??= dlopen("libc.so.6", LIBC_SYMBOLS).symbols;
  return libc;
}

function lastError(lib: LibcSymbols, call: string): Error {
  const location = lib.__errno_location();
  const errno = location === null ? 0 : read.i32(location, 0);
  return new Error(`${call} failed: ${String(lib.strerror(errno))} (errno ${errno})`);
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
  const lib = symbols();
  const { addr, length } = sockaddrUn(address);
  const fd = lib.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw lastError(lib, "socket(AF_UNIX, SOCK_DGRAM)");
  try {
    const sent = Number(lib.sendto(fd, payload, payload.length, MSG_NOSIGNAL, addr, length));
    if (sent < 0) throw lastError(lib, `sendto(${address})`);
  } finally {
    lib.close(fd);
  }
}
