/** Enough of semver for ranges written as `>=A <B` (majors), as SUPPORTED_VERSIONS are. */
export function satisfies(version: string, range: string): boolean {
  const major = Number(version.split('.')[0]);
  const m = /^>=(\d+) <(\d+)$/.exec(range);
  if (!m) throw new Error(`unsupported range ${range}`);
  return major >= Number(m[1]) && major < Number(m[2]);
}
