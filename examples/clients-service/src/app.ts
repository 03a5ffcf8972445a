import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { UsageHandle } from '@tracepack/usage';
import { DuplicateClientError, type ClientRepository } from './db/repository';
import { hashSecret, verifySecret } from './passwords';

export interface AppOptions {
  repository: ClientRepository;
  /** bcrypt cost of new client secrets. */
  bcryptCost: number;
  tokenTtlSeconds: number;
  /**
   * A bcrypt hash compared against when the client does not exist, so that an unknown id
   * takes as long to refuse as a wrong secret.
   */
  dummyHash: string;
  /** Counts the service's features and token activity in its usage statistics (ids hashed). */
  usage?: Pick<UsageHandle, 'feature' | 'activity'>;
}

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,254}$/;
/** bcrypt reads at most 72 bytes of a secret. */
const MAX_SECRET_BYTES = 72;
const MIN_SECRET_LENGTH = 8;

/** The express application: client registry, token endpoint and health checks. */
export function createApp(options: AppOptions): express.Express {
  const { repository } = options;
  const app = express();
  app.disable('x-powered-by');

  // Liveness: answers as long as the process does. Not traced (default ignore_paths).
  app.get('/health/alive', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Readiness: the database answers.
  app.get('/health/ready', async (_req, res) => {
    await repository.ping();
    res.json({ status: 'ok' });
  });

  app.post('/clients', express.json({ limit: '16kb' }), async (req: Request, res: Response) => {
    const body: unknown = req.body;
    const problem = checkNewClient(body);
    if (problem) {
      res.status(400).json({ error: 'invalid_request', error_description: problem });
      return;
    }
    const { client_id: clientId, client_secret: secret } = body as { client_id: string; client_secret: string };
    const hash = await hashSecret(secret, options.bcryptCost);
    try {
      // No SELECT first: the primary key decides, so two concurrent creations cannot both win.
      const { createdAt } = await repository.insert(clientId, hash);
      options.usage?.feature('client.created');
      res.status(201).location(`/clients/${encodeURIComponent(clientId)}`).json({ client_id: clientId, created_at: createdAt.toISOString() });
    } catch (err) {
      if (!(err instanceof DuplicateClientError)) throw err;
      res.status(409).json({ error: 'conflict' });
    }
  });

  app.get('/clients/:id', async (req: Request<{ id: string }>, res: Response) => {
    const client = await repository.find(req.params.id);
    if (!client) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    // Never the hash.
    res.json({ client_id: client.clientId, created_at: client.createdAt.toISOString() });
  });

  app.delete('/clients/:id', async (req: Request<{ id: string }>, res: Response) => {
    const deleted = await repository.delete(req.params.id);
    if (deleted) options.usage?.feature('client.deleted');
    if (deleted) res.status(204).end();
    else res.status(404).json({ error: 'not_found' });
  });

  app.post('/oauth2/token', express.urlencoded({ extended: false, limit: '16kb' }), async (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store');
    const grantType = (req.body as Record<string, unknown> | undefined)?.grant_type;
    if (typeof grantType !== 'string' || grantType === '') {
      res.status(400).json({ error: 'invalid_request', error_description: 'grant_type is required' });
      return;
    }
    if (grantType !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type' });
      return;
    }
    const credentials = basicCredentials(req.get('authorization'));
    const client = credentials ? await repository.find(credentials.clientId) : undefined;
    // Compare even for an unknown client: the answer takes as long either way.
    const valid = await verifySecret(credentials?.secret ?? '', client?.secretHash ?? options.dummyHash);
    if (!client || !valid) {
      res.status(401).set('WWW-Authenticate', 'Basic realm="clients-service"').json({ error: 'invalid_client' });
      return;
    }
    // The client id is sent only as a salted SHA-256: how many distinct clients get tokens.
    options.usage?.activity('token.issued', { userId: client.clientId });
    res.json({ access_token: randomBytes(32).toString('base64url'), token_type: 'bearer', expires_in: options.tokenTtlSeconds });
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not_found' });
  });

  // Body parser errors (bad JSON, too large) are the client's; anything else is ours.
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status === 413 ? 413 : 400).json({ error: 'invalid_request' });
      return;
    }
    // The message only: errors of drivers can hold statement details, never values here.
    console.error(`clients-service: request failed: ${(err as Error)?.message ?? String(err)}`);
    res.status(500).json({ error: 'server_error' });
  });
  return app;
}

function checkNewClient(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object {"client_id","client_secret"}';
  const { client_id: id, client_secret: secret } = body as Record<string, unknown>;
  if (typeof id !== 'string' || !CLIENT_ID.test(id)) return 'client_id: 1 to 255 characters of A-Z a-z 0-9 . _ ~ -, starting with a letter or digit';
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || Buffer.byteLength(secret) > MAX_SECRET_BYTES) {
    return `client_secret: a string of ${MIN_SECRET_LENGTH} characters to ${MAX_SECRET_BYTES} bytes`;
  }
  return undefined;
}

/** `Basic base64(client_id:client_secret)`, each part form-encoded (RFC 6749 section 2.3.1). */
function basicCredentials(header: string | undefined): { clientId: string; secret: string } | undefined {
  const match = header ? /^Basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return { clientId: decodeForm(decoded.slice(0, colon)), secret: decodeForm(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

function decodeForm(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}
