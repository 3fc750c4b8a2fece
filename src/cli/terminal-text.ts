/**
 * @module Text that came from outside (an endpoint's answer or error, a broker's reason, a log
 * line, a device or file name) made safe to print on a terminal. Every control character (C0
 * except line feed and tab, DEL, C1) and the bidirectional overrides that reorder what is shown
 * become visible escapes such as `\x1b`, so a remote endpoint cannot clear the screen, set the
 * window title, or print a fake green "All messages delivered". JSON output needs none of this:
 * JSON.stringify escapes C0 itself, and its readers are programs.
 */

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escape(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** `text` with control characters shown as escapes; line feeds and tabs are kept. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escape);
}
