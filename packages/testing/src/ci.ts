/**
 * Whether this run is CI, however the variable is spelled (`CI=true`, `CI=1`, `CI=TRUE`,
 * `CI=yes`): CI never skips the end-to-end tier or a supported Node.js line, so a spelling
 * this did not know would silently turn real tests into skips.
 */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes|on)$/i.test(env.CI?.trim() ?? '');
}
