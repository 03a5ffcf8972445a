import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
  isWrapped,
} from '@opentelemetry/instrumentation';
import type { AnyFunction, DbSystemProfile, ResolvedSqlConfig } from './internal-types';
import { mysqlPoolGetConnection, mysqlStatement } from './patch-mysql2';
import { pgClientConnect, pgClientQuery, pgPoolConnect } from './patch-pg';
import { MYSQL, POSTGRESQL, SqlSpanBuilder } from './span-builder';
import type { SqlInstrumentationConfig } from './types';
import { ProblemReporter, versionsFor } from '@tracepack/core';
import { libraryExports, methodOwner, PACKAGE_NAME, PACKAGE_VERSION, resolveConfig, SUPPORTED_VERSIONS } from './utils';

/**
 * What both driver instrumentations share: validated options, the span builder, and patching a
 * public method where its class keeps it. The patches (patch-pg.ts, patch-mysql2.ts) see the span
 * builder only through the CallTracer interface.
 */
abstract class SqlDriverInstrumentation extends InstrumentationBase<SqlInstrumentationConfig> {
  // Fields are set after InstrumentationBase's constructor, which calls setConfig, init and
  // enable: none of those may use them (the patches reach them only when the driver is loaded).
  // Each kind of runtime problem is logged through `diag` once, then counted (@tracepack/core).
  protected readonly _problems = new ProblemReporter({ packageName: PACKAGE_NAME, level: 'warn' });
  protected readonly _spans: SqlSpanBuilder;

  constructor(profile: DbSystemProfile, config: SqlInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
    this._spans = new SqlSpanBuilder({
      profile,
      tracer: () => this.tracer,
      config: () => this.getConfig() as ResolvedSqlConfig,
      problems: this._problems,
    });
  }

  /**
   * Validates like the constructor: a wrong type or an unknown option (such as upstream's
   * `enhancedDatabaseReporting`) throws a TypeError with code TRACEPACK_SQL_INVALID_OPTION /
   * TRACEPACK_SQL_UNKNOWN_OPTION, and the previous options stay.
   */
  override setConfig(config: SqlInstrumentationConfig = {}): void {
    super.setConfig(resolveConfig(config));
  }

  /** How many runtime tracing problems were swallowed (the first of each kind is logged through `diag`). */
  get tracingProblemCount(): number {
    return this._problems.total;
  }

  protected _patchMethod(
    cls: unknown,
    name: string,
    what: string,
    wrapper: (original: AnyFunction) => AnyFunction,
  ): void {
    try {
      const owner = methodOwner(cls, name);
      if (!owner) {
        this._problems.failure(`patching ${what}`, { detail: 'not found, not traced' });
        return;
      }
      this._wrap(owner, name, (original) => wrapper(original as AnyFunction));
    } catch (err) {
      this._problems.failure(`patching ${what}`, { error: err });
    }
  }

  protected _unpatchMethod(cls: unknown, name: string): void {
    try {
      const owner = methodOwner(cls, name);
      if (owner && isWrapped(owner[name])) this._unwrap(owner, name);
    } catch (err) {
      this._problems.failure(`unpatching ${name}`, { error: err });
    }
  }
}

/**
 * Spans for `pg` (node-postgres): one per statement of `Client#query` (so also of `Pool#query`
 * and of checked-out pool clients), in its callback, promise and submittable forms; and, with
 * `connectionSpans`, `pg.connect` and `pg-pool.connect`. The statement is sanitized before the
 * span starts; bound values are never read.
 */
export class PgInstrumentation extends SqlDriverInstrumentation {
  constructor(config: SqlInstrumentationConfig = {}) {
    super(POSTGRESQL, config);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'pg',
        versionsFor(SUPPORTED_VERSIONS, 'pg'),
        (moduleExports: unknown) => {
          const pg = libraryExports(moduleExports);
          this._patchMethod(pg?.['Client'], 'query', 'pg Client#query', (original) =>
            pgClientQuery(original, () => this._spans, this._problems),
          );
          this._patchMethod(pg?.['Client'], 'connect', 'pg Client#connect', (original) =>
            pgClientConnect(original, () => this._spans, this._problems),
          );
          // pg's Pool extends pg-pool's: reached from pg's own export, so it is patched however
          // pg-pool was loaded (a require inside pg, an ESM import of pg).
          this._patchPoolConnect(pg?.['Pool']);
          return moduleExports;
        },
        (moduleExports: unknown) => {
          const pg = libraryExports(moduleExports);
          this._unpatchMethod(pg?.['Client'], 'query');
          this._unpatchMethod(pg?.['Client'], 'connect');
          this._unpatchMethod(pg?.['Pool'], 'connect');
        },
      ),
      // pg-pool on its own (`new Pool({ Client })`): module.exports is the Pool class.
      new InstrumentationNodeModuleDefinition(
        'pg-pool',
        versionsFor(SUPPORTED_VERSIONS, 'pg-pool'),
        (moduleExports: unknown) => {
          this._patchPoolConnect(libraryExports(moduleExports));
          return moduleExports;
        },
        (moduleExports: unknown) => this._unpatchMethod(libraryExports(moduleExports), 'connect'),
      ),
    ];
  }

  private _patchPoolConnect(pool: unknown): void {
    this._patchMethod(pool, 'connect', 'pg-pool Pool#connect', (original) =>
      pgPoolConnect(original, () => this._spans, this._problems),
    );
  }
}

/**
 * Spans for `mysql2`: one per statement of `Connection#query` and `Connection#execute`, which
 * the pool, pooled connections and the promise API (`mysql2/promise`) all end up calling; in
 * their callback, promise and event-emitter forms. The statement is recorded as written, never
 * with the values mysql2 formats into it, and sanitized before the span starts.
 */
export class MySQL2Instrumentation extends SqlDriverInstrumentation {
  constructor(config: SqlInstrumentationConfig = {}) {
    super(MYSQL, config);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    const versions = versionsFor(SUPPORTED_VERSIONS, 'mysql2');
    // `mysql2/promise` does not load mysql2's main module: it requires the files that define
    // the classes directly. So the classes are patched when their files load (the module's export
    // is the public class itself, `require('mysql2').Connection` / `.Pool`), and again, harmlessly,
    // from the main module's exports, should a release move those files.
    const connectionFile = new InstrumentationNodeModuleFile(
      'mysql2/lib/connection.js',
      versions,
      (Connection: unknown) => {
        this._patchConnection(Connection);
        return Connection;
      },
      (Connection: unknown) => this._unpatchConnection(Connection),
    );
    const poolFile = new InstrumentationNodeModuleFile(
      'mysql2/lib/pool.js',
      versions,
      (Pool: unknown) => {
        this._patchPool(Pool);
        return Pool;
      },
      (Pool: unknown) => this._unpatchMethod(Pool, 'getConnection'),
    );
    return [
      new InstrumentationNodeModuleDefinition(
        'mysql2',
        versions,
        (moduleExports: unknown) => {
          const mysql = libraryExports(moduleExports);
          this._patchConnection(mysql?.['Connection']);
          this._patchPool(mysql?.['Pool']);
          return moduleExports;
        },
        (moduleExports: unknown) => {
          const mysql = libraryExports(moduleExports);
          this._unpatchConnection(mysql?.['Connection']);
          this._unpatchMethod(mysql?.['Pool'], 'getConnection');
        },
        [connectionFile, poolFile],
      ),
    ];
  }

  private _patchConnection(Connection: unknown): void {
    for (const method of ['query', 'execute']) {
      this._patchMethod(Connection, method, `mysql2 Connection#${method}`, (original) =>
        mysqlStatement(original, () => this._spans, this._problems),
      );
    }
  }

  private _unpatchConnection(Connection: unknown): void {
    this._unpatchMethod(Connection, 'query');
    this._unpatchMethod(Connection, 'execute');
  }

  private _patchPool(Pool: unknown): void {
    this._patchMethod(Pool, 'getConnection', 'mysql2 Pool#getConnection', (original) =>
      mysqlPoolGetConnection(original, this._problems),
    );
  }
}
