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
 * Every URL password and query value in `text` replaced by `***`:
 * `http://user:***@collector:4318/v1/traces?api_key=***`. The user info
 * ends at the authority's last `@` and the password starts after its first `:`, as WHATWG URL
 * reads them; any scheme, anywhere in the text. One pass: each authority is read once (a regular
 * expression would backtrack over long runs of scheme characters, quadratic in a long value).
 */
export function maskUrlSecrets(text: string): string {
  return maskQueryValues(maskPasswords(text));
}

/** Where a URL ends in running text (a value, a JSON dump, a message). */
const URL_END = /[\s"'<>`]/;

/**
 * The value of every query parameter of every URL in `text` replaced by `***`
 * (`/v1/traces?api_key=***`): tokens are put there as often as in the user info. Keys are kept,
 * so that a reader still sees what was set. One pass, like maskPasswords.
 */
function maskQueryValues(text: string): string {
  let sep = text.indexOf('://');
  if (sep === -1) return text;
  let out = '';
  let copied = 0;
  while (sep !== -1) {
    let end = sep + 3;
    while (end < text.length && !URL_END.test(text[end]!)) end++;
    const query = text.indexOf('?', sep + 3);
    if (query !== -1 && query < end) {
      const fragment = text.indexOf('#', query);
      const stop = fragment !== -1 && fragment < end ? fragment : end;
      const masked = text
        .slice(query + 1, stop)
        .split('&')
        .map((pair) => {
          const eq = pair.indexOf('=');
          return eq === -1 || eq === pair.length - 1 ? pair : `${pair.slice(0, eq + 1)}***`;
        })
        .join('&');
      out += `${text.slice(copied, query + 1)}${masked}`;
      copied = stop;
    }
    sep = text.indexOf('://', end);
  }
  return out + text.slice(copied);
}

function maskPasswords(text: string): string {
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
        return maskUrlSecrets(
          JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value),
        );
      } catch {
        return Object.prototype.toString.call(value);
      }
  }
}
