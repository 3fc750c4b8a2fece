/**
 * @module File-name sanitising: each of `< > : " / \ | ? *` and each control character becomes
 * `_` (acoupi's set plus controls), and a name of only dots becomes underscores, so a label or
 * template can never add a directory level or climb out of the target folder.
 */
const UNSAFE = /[<>:"/\\|?*\u0000-\u001f]/g;

export function sanitizeFileName(name: string): string {
  const cleaned = name.replace(UNSAFE, "_");
  if (cleaned === "" || /^\.+$/.test(cleaned)) return cleaned.replace(/\./g, "_") || "_";
  return cleaned;
}
