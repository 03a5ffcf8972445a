// What clients send, checked before it reaches bcrypt or the database. A refusal says which
// field is wrong, never its value: answers, spans and logs must not echo what a client sent.
import type { NextFunction, Request, Response } from 'express';

export const MAX_CLIENT_ID_LENGTH = 255;
export const MIN_SECRET_LENGTH = 8;
/** bcrypt reads at most 72 bytes of a secret: a longer one would match on its first 72. */
export const MAX_SECRET_BYTES = 72;
/** What POST /clients accepts; an id in a path that is not of this form cannot exist (404). */
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,254}$/;
/** C0 and C1 controls (NUL included), and UTF-16 halves without their other half. */
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A refusal: the status, the OAuth2-style error code, and the field it is about. */
export interface Refusal {
  status: 400 | 404 | 413 | 415;
  error: 'invalid_request' | 'not_found' | 'unsupported_media_type' | 'payload_too_large';
  field?: string;
  description?: string;
}

/**
 * A refusal sent before the body was read ends the connection (`Connection: close`): a client
 * that reuses it would otherwise wait while the rest of a large body is read and dropped.
 */
export function closeIfBodyUnread(res: Response): void {
  if (!res.req.complete && !res.headersSent) res.set('Connection', 'close');
}

export function refuse(res: Response, r: Refusal): void {
  closeIfBodyUnread(res);
  if (r.status === 404) {
    res.status(404).json({ error: 'not_found' });
    return;
  }
  res.status(r.status).json({
    error: r.error,
    ...(r.field ? { field: r.field } : {}),
    ...(r.description ? { error_description: r.description } : {}),
  });
}

const invalid = (field: string, description?: string): Refusal => ({
  status: 400,
  error: 'invalid_request',
  field,
  description,
});

export function hasForbiddenCharacters(s: string): boolean {
  return FORBIDDEN.test(s);
}

/** The `:id` of a path: 400 when it could never be text (controls, lone surrogates, too long), 404 when no client can have it. */
export function checkPathId(id: string): Refusal | undefined {
  if (id.length > MAX_CLIENT_ID_LENGTH || hasForbiddenCharacters(id))
    return invalid('id', `1 to ${MAX_CLIENT_ID_LENGTH} characters, no control characters`);
  if (!CLIENT_ID.test(id)) return { status: 404, error: 'not_found' };
  return undefined;
}

/** The JSON body of POST /clients. */
export function checkNewClient(body: unknown): Refusal | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return invalid('body', 'expected a JSON object {"client_id","client_secret"}');
  const { client_id: id, client_secret: secret } = body as Record<string, unknown>;
  if (typeof id !== 'string' || !CLIENT_ID.test(id))
    return invalid(
      'client_id',
      `1 to ${MAX_CLIENT_ID_LENGTH} characters of A-Z a-z 0-9 . _ ~ -, starting with a letter or digit`,
    );
  if (
    typeof secret !== 'string' ||
    secret.length < MIN_SECRET_LENGTH ||
    Buffer.byteLength(secret) > MAX_SECRET_BYTES ||
    hasForbiddenCharacters(secret)
  ) {
    return invalid(
      'client_secret',
      `a string of ${MIN_SECRET_LENGTH} characters to ${MAX_SECRET_BYTES} bytes, no control characters`,
    );
  }
  return undefined;
}

/** Fields of the token request that must appear once (RFC 6749 section 3.2); others are ignored. */
const TOKEN_FIELDS = ['grant_type', 'scope', 'client_id', 'client_secret'];

/** The form of POST /oauth2/token: its grant_type, or why it is refused. */
export function checkTokenForm(body: unknown): Refusal | { grantType: string } {
  const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  for (const field of TOKEN_FIELDS) {
    const value = Object.hasOwn(form, field) ? form[field] : undefined;
    if (value !== undefined && typeof value !== 'string') return invalid(field, 'must appear once');
  }
  const grantType = Object.hasOwn(form, 'grant_type') ? form.grant_type : undefined;
  if (typeof grantType !== 'string' || grantType === '') return invalid('grant_type', 'grant_type is required');
  return { grantType };
}

/**
 * `Authorization: Basic base64(client_id:client_secret)`, each part form-encoded (RFC 6749
 * section 2.3.1). `undefined`: no Basic credentials (401); a refusal: Basic, but not decodable
 * as base64, UTF-8 and form encoding, or holding control characters (400).
 */
export function basicCredentials(
  header: string | undefined,
): { clientId: string; secret: string } | Refusal | undefined {
  const match = header ? /^Basic +([A-Za-z0-9+/]*={0,2}) *$/i.exec(header) : null;
  if (!match)
    return header && /^Basic(?: |$)/i.test(header)
      ? invalid('authorization', 'Basic base64(client_id:client_secret)')
      : undefined;
  const encoded = match[1]!;
  const bytes = Buffer.from(encoded, 'base64');
  // Buffer.from skips what is not base64: only the canonical form is taken.
  if (encoded === '' || bytes.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, ''))
    return invalid('authorization', 'not base64');
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return invalid('authorization', 'not UTF-8');
  }
  const colon = decoded.indexOf(':');
  if (colon <= 0) return invalid('authorization', 'expected client_id:client_secret');
  let clientId: string;
  let secret: string;
  try {
    clientId = decodeForm(decoded.slice(0, colon));
    secret = decodeForm(decoded.slice(colon + 1));
  } catch {
    return invalid('authorization', 'bad percent-encoding');
  }
  if (clientId.length > MAX_CLIENT_ID_LENGTH || hasForbiddenCharacters(clientId) || hasForbiddenCharacters(secret))
    return invalid('authorization', 'control characters or too long');
  return { clientId, secret };
}

export function isRefusal(x: object): x is Refusal {
  return 'status' in x;
}

/** Whether `id` is one POST /clients could have created (else no lookup is needed: it does not exist). */
export function isClientId(id: string): boolean {
  return CLIENT_ID.test(id);
}

function decodeForm(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

/** 415 for a request with a body that is not of `type` (the body parser would skip it). */
export function requireBodyType(type: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.is(type) === false)
      refuse(res, {
        status: 415,
        error: 'unsupported_media_type',
        field: 'content-type',
        description: `expected ${type}`,
      });
    else next();
  };
}

/** What the body parsers and the router throw on client input, as a refusal; undefined: a failure of ours. */
export function refusalOfError(err: unknown): Refusal | undefined {
  const { status, type } = (err ?? {}) as { status?: unknown; type?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  switch (type) {
    case 'entity.too.large':
    case 'parameters.too.many':
      return { status: 413, error: 'payload_too_large', field: 'body' };
    case 'encoding.unsupported':
      return { status: 415, error: 'unsupported_media_type', field: 'content-encoding' };
    case 'charset.unsupported':
      return { status: 415, error: 'unsupported_media_type', field: 'content-type' };
    case undefined:
      // The router: a path parameter that is not valid percent-encoded UTF-8.
      return invalid(
        err instanceof URIError || /decode param/i.test(String((err as Error).message)) ? 'path' : 'request',
      );
    default:
      // entity.parse.failed, entity.verify.failed, request.aborted, request.size.invalid, ...
      return invalid('body', 'malformed');
  }
}
