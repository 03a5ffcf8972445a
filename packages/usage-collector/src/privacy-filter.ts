import { isIPv6 } from 'node:net';

/** What the collector's privacy filter drops: the kinds counted in `privacy_drops.kind`. */
export type DropKind = 'email' | 'bearer_token' | 'jwt' | 'ipv4' | 'ipv6' | 'random_string';

/** Every kind, in the order they are tested (the first that matches names the drop). */
export const DROP_KINDS: readonly DropKind[] = ['jwt', 'bearer_token', 'email', 'ipv4', 'ipv6', 'random_string'];

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/;
/** An authorization scheme followed by a credential, or a well-known secret token prefix. */
const BEARER =
  /\b(?:bearer|basic|token)(?:\s|%20|\+|:|=)+[A-Za-z0-9._~+/=-]{8,}|\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|sk_(?:live|test)_[A-Za-z0-9]{10,}|AKIA[0-9A-Z]{16})/i;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const IPV4 = /(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?!\d|\.\d)/g;
/** Runs of characters an IPv6 address is made of (zone and embedded IPv4 included). */
const IPV6_CANDIDATE = /[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(?:%[A-Za-z0-9]+)?/g;
/** Runs of characters a token, key or id is made of. */
const TOKEN = /[A-Za-z0-9_-]{16,}/g;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * The kind of personal data or secret a string looks like, or undefined when it looks like
 * none. Applied to every attribute value before it is stored (endpoints segment by segment,
 * {@link filterEndpoint}), percent-encoded forms included.
 *
 * - an e-mail address; a bearer / basic credential or a well-known token prefix (GitHub, Slack,
 *   Stripe, AWS); a JWT (`eyJ...`);
 * - an IPv4 address (each part 0..255) other than 0.0.0.0, or an IPv6 address other than `::`;
 * - a long random string: 16 characters or more of letters, digits, `_` and `-` that mixes
 *   digits and letters (3 or more of each, digits at least a tenth), or upper and lower case
 *   in even measure, or is 12 digits or more; a lowercase hex SHA-256 (64 characters: what
 *   @tracepack/usage sends for hashed ids and path segments) is not one.
 *
 * A four-part version number (1.2.3.4) reads as an IPv4 address and is dropped: the price of
 * never storing an address.
 */
export function classify(value: string): DropKind | undefined {
  const kind = classifyRaw(value);
  if (kind !== undefined || !value.includes('%')) return kind;
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  return decoded === value ? undefined : classifyRaw(decoded);
}

function classifyRaw(value: string): DropKind | undefined {
  if (value.length < 3) return undefined; // shorter than any address (::1), token or id
  if (JWT.test(value)) return 'jwt';
  if (BEARER.test(value)) return 'bearer_token';
  if (value.includes('@') && EMAIL.test(value)) return 'email';
  if (hasIpv4(value)) return 'ipv4';
  if (value.includes(':') && hasIpv6(value)) return 'ipv6';
  if (hasRandomToken(value)) return 'random_string';
  return undefined;
}

function hasIpv4(value: string): boolean {
  IPV4.lastIndex = 0;
  for (let m = IPV4.exec(value); m !== null; m = IPV4.exec(value)) {
    const parts = [m[1], m[2], m[3], m[4]].map(Number);
    if (parts.every((p) => p <= 255) && !parts.every((p) => p === 0)) return true;
  }
  return false;
}

function hasIpv6(value: string): boolean {
  IPV6_CANDIDATE.lastIndex = 0;
  for (let m = IPV6_CANDIDATE.exec(value); m !== null; m = IPV6_CANDIDATE.exec(value)) {
    const candidate = m[0].replace(/^\.+|\.+$/g, '');
    // `::` (unspecified, like 0.0.0.0) is no address of anyone; an address has a digit.
    if (candidate.length >= 3 && /\d/.test(candidate) && isIPv6(candidate)) return true;
  }
  return false;
}

function hasRandomToken(value: string): boolean {
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(value); m !== null; m = TOKEN.exec(value)) {
    if (looksRandom(m[0])) return true;
  }
  return false;
}

/** A token that is not a word or a name: see {@link classify}. */
export function looksRandom(token: string): boolean {
  if (token.length < 16 || SHA256_HEX.test(token)) return false;
  let digits = 0;
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
  }
  const letters = upper + lower;
  if (digits >= 12 && letters === 0) return true;
  if (digits >= 3 && letters >= 3 && digits * 10 >= token.length) return true;
  return letters >= 16 && upper * 4 >= letters && lower * 4 >= letters;
}

/** What {@link filterEndpoint} keeps, and what it dropped. */
export interface FilteredEndpoint {
  endpoint: string;
  dropped: DropKind[];
}

/** What replaces a path segment, query key or query value the filter dropped. */
export const DROPPED_SEGMENT = ':dropped';

/**
 * An endpoint as @tracepack/usage sends it (a route template, or a path whose segments and
 * query values are hex SHA-256), with every segment, query key and query value that looks like
 * personal data or a secret ({@link classify}) replaced by `:dropped`. Template parameters
 * (`:id`) and hashes stay as they are.
 */
export function filterEndpoint(endpoint: string): FilteredEndpoint {
  const dropped: DropKind[] = [];
  const check = (part: string): string => {
    if (part === '' || SHA256_HEX.test(part) || /^[:*][A-Za-z_][A-Za-z0-9_]*[?*+]?$/.test(part)) return part;
    const kind = classify(part);
    if (kind === undefined) return part;
    dropped.push(kind);
    return DROPPED_SEGMENT;
  };
  const q = endpoint.indexOf('?');
  const path = q === -1 ? endpoint : endpoint.slice(0, q);
  let out = path.split('/').map(check).join('/');
  if (q !== -1) {
    const query = endpoint
      .slice(q + 1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        return eq === -1 ? check(pair) : `${check(pair.slice(0, eq))}=${check(pair.slice(eq + 1))}`;
      })
      .join('&');
    out += `?${query}`;
  }
  // Whatever a split hid (a value spanning a '/' or '&'): the whole is checked too.
  if (dropped.length === 0) {
    const kind = classify(endpoint);
    if (kind !== undefined) return { endpoint: DROPPED_SEGMENT, dropped: [kind] };
  }
  return { endpoint: out, dropped };
}
