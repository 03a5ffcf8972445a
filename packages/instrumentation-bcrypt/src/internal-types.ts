import type { BcryptLibrary } from './types';

/** A function of the instrumented module, as far as this package cares. */
export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** The methods this package patches, in both libraries. */
export const PATCHED_METHODS = ['hash', 'hashSync', 'compare', 'compareSync', 'genSalt', 'genSaltSync'] as const;
export type PatchedMethod = (typeof PATCHED_METHODS)[number];

/** The part of `bcrypt` / `bcryptjs` this package touches (also what the tests call). */
export type BcryptModule = Record<PatchedMethod, AnyFunction>;

/** How one patched method is traced. */
export interface MethodSpec {
  readonly spanName: string;
  readonly sync: boolean;
  /** Index of the node-style callback among `args`, or -1 (sync form, promise form). */
  callbackIndex(args: readonly unknown[], library: BcryptLibrary): number;
  /** The work factor this call uses, when it can be told from the arguments. */
  workFactor(args: readonly unknown[], library: BcryptLibrary): number | undefined;
}
