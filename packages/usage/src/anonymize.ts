import { RouteTemplates } from './route-templates';
import { saltedHash } from './utils';

/** A query key is sent as it is only when it looks like a parameter name, else it is hashed too. */
const PLAIN_KEY = /^[A-Za-z0-9_.[\]-]{1,64}$/;

/**
 * Turns a request URL into the endpoint a report may carry:
 *
 * - a path matching a declared route template is sent as the template, query dropped
 *   (`/clients/1235?x=1` -> `/clients/:id`);
 * - any other path segment by segment: a segment that is a literal of a declared template
 *   stays, any other becomes the hex SHA-256 of `segment|salt` (the raw segment, as sent);
 *   query keys stay (hashed as well when they do not look like parameter names), values are
 *   hashed the same way, keys sorted (`/policies?owner=foo` -> `/policies?owner=<sha256("foo|salt")>`).
 *
 * The salt is drawn at each start and never leaves the process. This runs once per distinct
 * raw URL (the aggregator caches the result), never per request.
 */
export class EndpointAnonymizer {
  readonly templates: RouteTemplates;

  constructor(
    private readonly _salt: string,
    templates: readonly string[] = [],
  ) {
    this.templates = new RouteTemplates(templates);
  }

  /** `{ endpoint, template }`: the template matched, or the anonymized path and query. */
  anonymize(url: string): { endpoint: string; template: boolean } {
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const matched = this.templates.match(path);
    if (matched !== undefined) return { endpoint: matched, template: true };
    const query = q === -1 ? '' : this._anonymizeQuery(url.slice(q + 1));
    return { endpoint: this.anonymizePath(path) + (query === '' ? '' : `?${query}`), template: false };
  }

  /** Every segment that is not a literal of a declared template, hashed. */
  anonymizePath(path: string): string {
    if (!path.startsWith('/')) return `/${this._hash(path)}`;
    const literals = this.templates.literals;
    return path
      .split('/')
      .map((s, i) => (i === 0 || s === '' || literals.has(s) ? s : this._hash(s)))
      .join('/');
  }

  private _anonymizeQuery(query: string): string {
    const pairs: string[] = [];
    for (const [key, value] of new URLSearchParams(query)) {
      const k = PLAIN_KEY.test(key) ? key : this._hash(key);
      pairs.push(value === '' ? k : `${k}=${this._hash(value)}`);
    }
    return pairs.sort().join('&');
  }

  private _hash(value: string): string {
    return saltedHash(value, this._salt);
  }
}
