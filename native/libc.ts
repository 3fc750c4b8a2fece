/**
 * @module libc through bun:ffi: the few calls acoupi makes outside libasound — `flock` for the
 * run lock, `socket`/`sendto`/`close` for sd_notify — with `errno` and `strerror` to explain a
 * failure. Bindings only, no policy. The library is opened on first use, never at import, so a
 * process that needs none of these (`acoupi --help`) never loads it.
 */
import { dlopen, FFIType as T, read } from "bun:ffi";

const SYMBOLS = {
  flock: { args: [T.i32, T.i32], returns: T.i32 },
  socket: { args: [T.i32, T.i32, T.i32], returns: T.i32 },
  sendto: { args: [T.i32, T.ptr, T.u64, T.i32, T.ptr, T.u32], returns: T.i64 },
  close: { args: [T.i32], returns: T.i32 },
  __errno_location: { args: [], returns: T.ptr },
  strerror: { args: [T.i32], returns: T.cstring },
} as const;

export type Libc = ReturnType<typeof dlopen<typeof SYMBOLS>>["symbols"];
let lib: Libc | undefined;

/** The libc symbols, opening libc.so.6 on the first call. */
export function libc(): Libc {
  lib ??= dlopen("libc.so.6", SYMBOLS).symbols;
  return lib;
}

/** The calling thread's errno, read right after a failed call. */
export function errno(): number {
  const location = libc().__errno_location();
  return location === null ? 0 : read.i32(location, 0);
}

/** libc's text for an errno value. */
export function strerror(code: number): string {
  return String(libc().strerror(code));
}
