/**
 * What config values may look like where they are shown: in `tracepack config print` and
 * `validate`, in the summary line, in error messages and warnings. Secret keys (authorization
 * header, header values, api keys) are masked by key where they are printed; these helpers
 * mask what can hide in any string: the password of a URL (`http://user:pw@collector:4318`).
 */

const SCHEME_CHAR = /[a-z0-9+.-]/i;
/**
 * Where a URL's authority ends. Not at a quote or a backslash: a password may hold them (JSON
 * escapes a `"` as `\"`), and masking a little too much is better than too little.
 */
const AUTHORITY_END = /[\s/?#]/;

/**
 * Every URL password in `text` replaced by `***`: `http://user:***@collector:4318`. The user info
 * ends at the authority's last `@` and the password starts after its first `:`, as WHATWG URL
 * reads them; any scheme, anywhere in the text. One pass: each authority is read once (a regular
 * expression would backtrack over long runs of scheme characters, quadratic in a long value).
 */
export function maskUrlPasswords(text: string): string {
  let sep = text.indexOf('://');
  if (sep === -1) return text;
  let out = '';
  let copied = 0;
  while (sep !== -1) {
    const start = sep + 3;
    let end = start;
    let colon = -1;
    let at = -1;
    for (; end < text.length; end++) {
      const c = text[end]!;
      if (AUTHORITY_END.test(c)) break;
      if (c === '@') at = end;
      else if (c === ':' && colon === -1) colon = end;
    }
    if (sep > 0 && SCHEME_CHAR.test(text[sep - 1]!) && colon !== -1 && colon + 1 < at) {
      out += `${text.slice(copied, colon + 1)}***`;
      copied = at;
    }
    sep = text.indexOf('://', end);
  }
  return out + text.slice(copied);
}

/**
 * A value as an error message shows it: JSON, URL passwords masked, never throwing (a value from
 * code can be a bigint, a function or a symbol, which JSON.stringify refuses or drops).
 */
export function showValue(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'bigint':
      return `${value}n`;
    default:
      try {
        return maskUrlPasswords(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value));
      } catch {
        return Object.prototype.toString.call(value);
      }
  }
}
