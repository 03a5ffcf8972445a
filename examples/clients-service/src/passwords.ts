// bcrypt is required here, and this module is only loaded after tracing has started (see main.ts).
interface Bcrypt {
  hash(data: string, saltOrRounds: number): Promise<string>;
  compare(data: string, encrypted: string): Promise<boolean>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bcrypt = require('bcrypt') as Bcrypt;

/** bcrypt hash of a client secret at the given cost. */
export function hashSecret(secret: string, cost: number): Promise<string> {
  return bcrypt.hash(secret, cost);
}

/** True when `secret` matches the stored hash. */
export function verifySecret(secret: string, hash: string): Promise<boolean> {
  return bcrypt.compare(secret, hash);
}
