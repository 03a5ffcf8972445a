import { createPool, type Pool, type ResultSetHeader, type RowDataPacket } from 'mysql2/promise';
import { describeUrl, DuplicateClientError, type ClientRecord, type ClientRepository } from './repository';

/** MySQL/MariaDB's ER_DUP_ENTRY. */
const DUPLICATE_ENTRY = 1062;

/** Clients in MySQL or MariaDB through a mysql2 pool (prepared statements). */
export class MysqlClientRepository implements ClientRepository {
  readonly description: string;
  private readonly _pool: Pool;

  constructor(url: string) {
    this.description = `MySQL ${describeUrl(url)}`;
    // Dates are stored and read as UTC, like TIMESTAMPTZ on PostgreSQL.
    this._pool = createPool({ uri: url, connectionLimit: 10, timezone: 'Z' });
  }

  async init(): Promise<void> {
    await this._pool.query(
      `CREATE TABLE IF NOT EXISTS clients (
         client_id VARCHAR(255) PRIMARY KEY,
         client_secret_hash VARCHAR(255) NOT NULL,
         created_at DATETIME(3) NOT NULL
       )`,
    );
  }

  async insert(clientId: string, secretHash: string): Promise<{ createdAt: Date }> {
    // MySQL has no RETURNING: the time is taken here and stored as given.
    const createdAt = new Date();
    try {
      await this._pool.execute('INSERT INTO clients (client_id, client_secret_hash, created_at) VALUES (?, ?, ?)', [
        clientId,
        secretHash,
        createdAt,
      ]);
    } catch (err) {
      if ((err as { errno?: number }).errno === DUPLICATE_ENTRY) throw new DuplicateClientError();
      throw err;
    }
    return { createdAt };
  }

  async find(clientId: string): Promise<ClientRecord | undefined> {
    const [rows] = await this._pool.execute<RowDataPacket[]>(
      'SELECT client_id, client_secret_hash, created_at FROM clients WHERE client_id = ?',
      [clientId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      clientId: String(row.client_id),
      secretHash: String(row.client_secret_hash),
      createdAt: new Date(row.created_at as Date),
    };
  }

  async delete(clientId: string): Promise<boolean> {
    const [result] = await this._pool.execute<ResultSetHeader>('DELETE FROM clients WHERE client_id = ?', [clientId]);
    return result.affectedRows > 0;
  }

  async ping(): Promise<void> {
    await this._pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this._pool.end();
  }
}
