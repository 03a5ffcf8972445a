import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { UsageHandle } from '@tracepack/usage';
import { DuplicateClientError, type ClientRepository } from './db/repository';
import { hashSecret, verifySecret } from './passwords';
import {
  basicCredentials,
  checkNewClient,
  closeIfBodyUnread,
  checkPathId,
  checkTokenForm,
  isClientId,
  isRefusal,
  MAX_SECRET_BYTES,
  refusalOfError,
  refuse,
  requireBodyType,
} from './validate';

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

  // Everything a client sends is checked (src/validate.ts) before it reaches bcrypt or the
  // database: a refusal is a 4xx naming the field, never its value.
  app.post(
    '/clients',
    requireBodyType('application/json'),
    express.json({ limit: '16kb' }),
    async (req: Request, res: Response) => {
      const body: unknown = req.body;
      const problem = checkNewClient(body);
      if (problem) {
        refuse(res, problem);
        return;
      }
      const { client_id: clientId, client_secret: secret } = body as { client_id: string; client_secret: string };
      const hash = await hashSecret(secret, options.bcryptCost);
      try {
        // No SELECT first: the primary key decides, so two concurrent creations cannot both win.
        const { createdAt } = await repository.insert(clientId, hash);
        options.usage?.feature('client.created');
        res
          .status(201)
          .location(`/clients/${encodeURIComponent(clientId)}`)
          .json({ client_id: clientId, created_at: createdAt.toISOString() });
      } catch (err) {
        if (!(err instanceof DuplicateClientError)) throw err;
        res.status(409).json({ error: 'conflict' });
      }
    },
  );

  app.get('/clients/:id', async (req: Request<{ id: string }>, res: Response) => {
    const problem = checkPathId(req.params.id);
    if (problem) {
      refuse(res, problem);
      return;
    }
    const client = await repository.find(req.params.id);
    if (!client) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    // Never the hash.
    res.json({ client_id: client.clientId, created_at: client.createdAt.toISOString() });
  });

  app.delete('/clients/:id', async (req: Request<{ id: string }>, res: Response) => {
    const problem = checkPathId(req.params.id);
    if (problem) {
      refuse(res, problem);
      return;
    }
    const deleted = await repository.delete(req.params.id);
    if (deleted) options.usage?.feature('client.deleted');
    if (deleted) res.status(204).end();
    else res.status(404).json({ error: 'not_found' });
  });

  const tokenForm = express.urlencoded({ extended: false, limit: '16kb' });
  app.post(
    '/oauth2/token',
    (_req: Request, res: Response, next: NextFunction) => {
      res.set('Cache-Control', 'no-store');
      next();
    },
    requireBodyType('application/x-www-form-urlencoded'),
    tokenForm,
    async (req: Request, res: Response) => {
      const form = checkTokenForm(req.body);
      if (isRefusal(form)) {
        refuse(res, form);
        return;
      }
      if (form.grantType !== 'client_credentials') {
        res.status(400).json({ error: 'unsupported_grant_type' });
        return;
      }
      const credentials = basicCredentials(req.get('authorization'));
      if (credentials && isRefusal(credentials)) {
        refuse(res, credentials);
        return;
      }
      // An id POST /clients could not have created is not looked up: it does not exist.
      const client =
        credentials && isClientId(credentials.clientId) ? await repository.find(credentials.clientId) : undefined;
      // Compare even for an unknown client: the answer takes as long either way. A secret over
      // bcrypt's 72 bytes never matches (bcrypt would compare its first 72 bytes only).
      const secretFits = Buffer.byteLength(credentials?.secret ?? '') <= MAX_SECRET_BYTES;
      const valid =
        (await verifySecret(credentials?.secret ?? '', client?.secretHash ?? options.dummyHash)) && secretFits;
      if (!client || !valid) {
        res.status(401).set('WWW-Authenticate', 'Basic realm="clients-service"').json({ error: 'invalid_client' });
        return;
      }
      // The client id is sent only as a salted SHA-256: how many distinct clients get tokens.
      options.usage?.activity('token.issued', { userId: client.clientId });
      res.json({
        access_token: randomBytes(32).toString('base64url'),
        token_type: 'bearer',
        expires_in: options.tokenTtlSeconds,
      });
    },
  );

  // Another method on a known path: 405, and the span is named after the route, not the path.
  for (const [path, allow] of [
    ['/clients', 'POST'],
    ['/clients/:id', 'GET, HEAD, DELETE'],
    ['/oauth2/token', 'POST'],
  ] as const) {
    app.all(path, (_req: Request, res: Response) => {
      closeIfBodyUnread(res);
      res.status(405).set('Allow', allow).json({ error: 'method_not_allowed', field: 'method' });
    });
  }

  app.use((_req: Request, res: Response) => {
    closeIfBodyUnread(res);
    res.status(404).json({ error: 'not_found' });
  });

  // Body parser and router errors (bad JSON, too large, bad percent-encoding) are the client's;
  // anything else is ours.
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const refusal = refusalOfError(err);
    if (refusal) {
      refuse(res, refusal);
      return;
    }
    // The error's name and code only: a driver's message can quote the value it refused.
    const { name, code } = (err ?? {}) as { name?: unknown; code?: unknown };
    console.error(
      `clients-service: request failed: ${typeof name === 'string' ? name : typeof err}${typeof code === 'string' ? ` (code ${code})` : ''}`,
    );
    res.status(500).json({ error: 'server_error' });
  });
  return app;
}
