/** Span names and attribute keys this package writes; nothing else is ever recorded. */

/** `bcrypt.hash`: hashSync, hash (promise and callback). */
export const SPAN_BCRYPT_HASH = 'bcrypt.hash';
/** `bcrypt.compare`: compareSync, compare (promise and callback). */
export const SPAN_BCRYPT_COMPARE = 'bcrypt.compare';
/** `bcrypt.genSalt`: genSaltSync, genSalt (promise and callback). */
export const SPAN_BCRYPT_GEN_SALT = 'bcrypt.genSalt';

/** `bcrypt` or `bcryptjs`. */
export const ATTR_BCRYPT_LIBRARY = 'bcrypt.library';
/** The cost (log2 of the rounds): as given, or read from the salt / stored hash. Integer. */
export const ATTR_BCRYPT_WORK_FACTOR = 'bcrypt.work_factor';
/** `true` for hashSync/compareSync/genSaltSync, `false` for the promise and callback forms. */
export const ATTR_BCRYPT_SYNC = 'bcrypt.sync';
