/**
 * @module SQL for a recording's absolute path in tests that read the metadata database directly:
 * the store keeps paths relative to `paths.recordings` or `paths.tmp_audio` (column `path_root`),
 * and this joins them back, as the report queries do with their roots table.
 */
export interface Roots {
  recordings: string;
  tmp: string;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** `CASE … END`, to use as `${absolutePathSql(roots, "r")} AS path`. */
export function absolutePathSql(roots: Roots, table = ""): string {
  const t = table === "" ? "" : `${table}.`;
  return `CASE ${t}path_root WHEN 'recordings' THEN ${literal(`${roots.recordings}/`)} || ${t}path WHEN 'tmp' THEN ${literal(`${roots.tmp}/`)} || ${t}path ELSE ${t}path END`;
}
