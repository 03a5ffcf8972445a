/** One registered client; the secret is only ever held as its bcrypt hash. */
export interface ClientRecord {
  clientId: string;
  secretHash: string;
  createdAt: Date;
}

/** What the HTTP layer needs from a database: one implementation per database. */
export interface ClientRepository {
  /** e.g. `PostgreSQL 127.0.0.1:5432/clients` (no password). */
  readonly description: string;
  /** Creates the table when it does not exist. */
  init(): Promise<void>;
  /** Inserts a client; rejects with {@link DuplicateClientError} when the id is taken (unique key). */
  insert(clientId: string, secretHash: string): Promise<{ createdAt: Date }>;
  find(clientId: string): Promise<ClientRecord | undefined>;
  /** True when a row was deleted. */
  delete(clientId: string): Promise<boolean>;
  /** A cheap round trip, for the readiness probe. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The INSERT hit the primary key: the client id is taken. */
export class DuplicateClientError extends Error {
  constructor() {
    super('client_id already exists');
    this.name = 'DuplicateClientError';
  }
}

/** `postgresql://user:secret@host:5432/db` -> `host:5432/db` (for start-up logs: never the password). */
export function describeUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.host}${url.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
