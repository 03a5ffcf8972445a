/** What the app serves, shared by the server scripts (loaded before any instrumented module) and the bench. */

/** Route templates of the app, given to tracepack (plain node:http has no router to ask). */
export const ROUTES = ['/hello/:id', '/clients/:id', '/oauth2/token'] as const;
/** bcrypt cost of the stored client secret: at 10, bcrypt would dominate every variant alike. */
export const BCRYPT_COST = 4;
/** The client secret the load generator sends (a benchmark fixture, not a real secret). */
export const CLIENT_SECRET = 'bench-client-secret';
