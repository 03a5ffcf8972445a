// What the gateway checks before a request goes upstream. A refusal names what is wrong (the
// path, the method, the body), never the value: answers, spans and logs must not echo it.
// clients-service checks the fields themselves (client_id, client_secret, grant_type, ...).
import type { IncomingMessage } from 'node:http';

/** Methods clients-service answers; anything else is refused here (fetch refuses TRACE and CONNECT anyway). */
export const FORWARDED_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'DELETE'];
/** Longest request target taken. */
export const MAX_URL_LENGTH = 4096;
/** Largest body taken (clients-service itself takes 16 KiB). */
export const MAX_BODY_BYTES = 64 * 1024;
/** Body types clients-service reads: JSON for /clients, a form for /oauth2/token. */
const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded'];
/** C0 and C1 controls, NUL included. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export interface Refusal {
  status: 400 | 405 | 413 | 414 | 415;
  error: 'invalid_request' | 'method_not_allowed' | 'payload_too_large' | 'uri_too_long' | 'unsupported_media_type';
  field: string;
}

/**
 * The upstream URL of a request, or why it is refused: the target must be a path (not
 * `//host/...` nor an absolute URL, which would leave the upstream), its segments valid
 * percent-encoded UTF-8 without control characters.
 */
export function checkTarget(rawUrl: string, upstreamUrl: string): URL | Refusal {
  if (rawUrl.length > MAX_URL_LENGTH) return { status: 414, error: 'uri_too_long', field: 'path' };
  const upstream = new URL(`${upstreamUrl}/`);
  if (!rawUrl.startsWith('/') || rawUrl.startsWith('//'))
    return { status: 400, error: 'invalid_request', field: 'path' };
  let target: URL;
  try {
    // Resolved against the upstream, so that /clients/../admin is checked as /admin.
    target = new URL(rawUrl, upstream);
  } catch {
    return { status: 400, error: 'invalid_request', field: 'path' };
  }
  if (target.origin !== upstream.origin) return { status: 400, error: 'invalid_request', field: 'path' };
  for (const segment of target.pathname.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return { status: 400, error: 'invalid_request', field: 'path' };
    }
    if (CONTROL.test(decoded)) return { status: 400, error: 'invalid_request', field: 'path' };
  }
  return target;
}

export function checkMethod(method: string): Refusal | undefined {
  return FORWARDED_METHODS.includes(method) ? undefined : { status: 405, error: 'method_not_allowed', field: 'method' };
}

/** The headers of a body: one of the types clients-service reads, not compressed (the gateway reads it). */
export function checkBodyHeaders(req: IncomingMessage): Refusal | undefined {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity')
    return { status: 415, error: 'unsupported_media_type', field: 'content-encoding' };
  const type = mediaType(req.headers['content-type']);
  if (
    type === undefined ||
    !BODY_TYPES.includes(type.type) ||
    (type.charset !== undefined && type.charset !== 'utf-8')
  ) {
    return { status: 415, error: 'unsupported_media_type', field: 'content-type' };
  }
  return undefined;
}

/** A body the gateway read: JSON must parse (UTF-8, then JSON.parse). */
export function checkBody(req: IncomingMessage, body: Buffer): Refusal | undefined {
  if (body.length === 0 || mediaType(req.headers['content-type'])?.type !== 'application/json') return undefined;
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    return { status: 400, error: 'invalid_request', field: 'body' };
  }
  return undefined;
}

/** Whether a request carries a body (a length over 0, or chunks). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function mediaType(header: string | undefined): { type: string; charset: string | undefined } | undefined {
  if (!header) return undefined;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/^"|"$/g, '');
  return type ? { type, charset } : undefined;
}
