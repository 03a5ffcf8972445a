/**
 * Route templates (`/clients/:id`, `/files/*`, `/orders/{id}`) compiled for matching request
 * paths. A template matches a path of as many segments, each either equal to the template's
 * literal segment or taken by a parameter (`:name`, `{name}`); a trailing `*` takes the rest.
 * When several match, the one with the most literal segments wins (`/clients/new` before
 * `/clients/:id`), then the first declared.
 */
export class RouteTemplates {
  private readonly _compiled: CompiledTemplate[] = [];
  private readonly _known = new Set<string>();
  /** Every literal segment of every template: a path segment equal to one of them is not user data. */
  readonly literals = new Set<string>();

  constructor(templates: readonly string[] = []) {
    for (const t of templates) this.add(t);
  }

  get size(): number {
    return this._compiled.length;
  }

  has(template: string): boolean {
    return this._known.has(template);
  }

  /** Adds a template; false when it was known already (or is not a path). */
  add(template: string): boolean {
    if (this._known.has(template) || !template.startsWith('/')) return false;
    this._known.add(template);
    const parts = template.split('/').slice(1);
    const rest = parts[parts.length - 1] === '*';
    const segments = (rest ? parts.slice(0, -1) : parts).map((p) => (isParameter(p) ? undefined : p));
    for (const s of segments) if (s !== undefined && s !== '') this.literals.add(s);
    const weight = segments.filter((s) => s !== undefined).length;
    const entry = { template, segments, rest, weight };
    // Kept sorted by weight (stable): the first match is the most specific.
    const at = this._compiled.findIndex((c) => c.weight < weight);
    if (at === -1) this._compiled.push(entry);
    else this._compiled.splice(at, 0, entry);
    return true;
  }

  /** The template a path (without query string) matches, if any. */
  match(path: string): string | undefined {
    const parts = path.split('/').slice(1);
    for (const c of this._compiled) {
      if (c.rest ? parts.length < c.segments.length : parts.length !== c.segments.length) continue;
      let ok = true;
      for (let i = 0; i < c.segments.length; i++) {
        const s = c.segments[i];
        if (s === undefined ? parts[i] === '' : s !== parts[i]) {
          ok = false;
          break;
        }
      }
      if (ok) return c.template;
    }
    return undefined;
  }
}

interface CompiledTemplate {
  template: string;
  /** A literal segment, or undefined for a parameter. */
  segments: (string | undefined)[];
  rest: boolean;
  weight: number;
}

function isParameter(segment: string): boolean {
  return segment.startsWith(':') || (segment.startsWith('{') && segment.endsWith('}')) || segment === '*';
}
