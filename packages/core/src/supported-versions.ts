/**
 * The versions of an instrumented module that are patched: module name (as required) -> one
 * semver range of majors, `>=A <B`. http, bcrypt and sql state theirs in this one shape, their
 * README's "Supported versions" table repeats it and their tests check both agree.
 */
export type SupportedVersions<Module extends string = string> = Readonly<Record<Module, string>>;

const MAJOR_RANGE = /^>=(\d+) <(\d+)$/;

/**
 * Freezes the ranges after checking that each is written `>=A <B` with A < B (the form
 * {@link inMajorRange} reads), so that a typo fails when the package loads, in its own tests.
 */
export function defineSupportedVersions<Module extends string>(
  ranges: Record<Module, string>,
): SupportedVersions<Module> {
  for (const [name, range] of Object.entries<string>(ranges)) {
    const m = MAJOR_RANGE.exec(range);
    if (m === null || Number(m[1]) >= Number(m[2])) {
      throw new TypeError(
        `@tracepack/core: the supported versions of ${name} are not a range of majors '>=A <B': '${range}'`,
      );
    }
  }
  return Object.freeze({ ...ranges });
}

/** The `supportedVersions` list `InstrumentationNodeModuleDefinition` takes for `name`. */
export function versionsFor<Module extends string>(versions: SupportedVersions<Module>, name: Module): string[] {
  return [versions[name]];
}

/**
 * Whether `version` (`5.12.8`) is in `range` (`>=4 <6`); false for anything else (a missing
 * version, a range of another form). For modules checked at run time rather than by the module
 * hook, such as a fastify instance's `version`.
 */
export function inMajorRange(version: unknown, range: string): boolean {
  if (typeof version !== 'string') return false;
  const bounds = MAJOR_RANGE.exec(range);
  const major = /^(\d+)\./.exec(version);
  if (bounds === null || major === null) return false;
  const m = Number(major[1]);
  return m >= Number(bounds[1]) && m < Number(bounds[2]);
}
