import { Pool } from 'pg';
import { describeUrl, DuplicateClientError, type ClientRecord, type ClientRepository } from './repository';

/** PostgreSQL's unique_violation SQLSTATE. */
const UNIQUE_VIOLATION = '23505';

/** Clients in PostgreSQL through a `pg` Pool (a real server, or the embedded one over its socket). */
export class PostgresClientRepository implements ClientRepository {
  readonly description: string;
  private readonly _pool: Pool;

  constructor(url: string, label = 'PostgreSQL', options: { max?: number } = {}) {
    this.description = `${label} ${describeUrl(url)}`;
    this._pool = new Pool({ connectionString: url, max: options.max ?? 10 });
    // An idle client losing its server must not crash the service.
    this._pool.on('error', (err) => console.error(`clients-service: idle database connection failed: ${err.message}`));
  }

  async init(): Promise<void> {
    await this._pool.query(
      `CREATE TABLE IF NOT EXISTS clients (
         client_id VARCHAR(255) PRIMARY KEY,
         client_secret_hash VARCHAR(255) NOT NULL,
         created_at TIMESTAMPTZ NOT NULL DEFAULT now()
       )`,
    );
  }

  async insert(clientId: string, secretHash: string): Promise<{ createdAt: Date }> {
    try {
      const result = await this._pool.query<{ created_at: Date }>(
        'INSERT INTO clients (client_id, client_secret_hash) VALUES ($1, $2) RETURNING created_at',
        [clientId, secretHash],
      );
      return { createdAt: result.rows[0]!.created_at };
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw new DuplicateClientError();
      throw err;
    }
  }

  async find(clientId: string): Promise<ClientRecord | undefined> {
    const result = await this._pool.query<{ client_id: string; client_secret_hash: string; created_at: Date }>(
      'SELECT client_id, client_secret_hash, created_at FROM clients WHERE client_id = $1',
      [clientId],
    );
    const row = result.rows[0];
    return row ? { clientId: row.client_id, secretHash: row.client_secret_hash, createdAt: row.created_at } : undefined;
  }

  async delete(clientId: string): Promise<boolean> {
    const result = await this._pool.query('DELETE FROM clients WHERE client_id = $1', [clientId]);
    return (result.rowCount ?? 0) > 0;
  }

  async ping(): Promise<void> {
    await this._pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this._pool.end();
  }
}
