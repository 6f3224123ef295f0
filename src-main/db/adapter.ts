import type { ConnectionConfig, Driver } from '../config/schema.js'
import type { Migr8Error } from '../../src-shared/errors.js'

export type Dialect = Driver

export type Row = Record<string, unknown>

/** One SQL statement of a script, as the dialect's lexer cut it. */
export interface SqlStatement {
  /** The statement text without its trailing delimiter. */
  sql: string
  /** 1-based line where the statement starts in the script. */
  line: number
}

export interface ServerInfo {
  /** e.g. "PostgreSQL 15.19", "MariaDB 10.11.19", "SQLite 3.53.2" */
  version: string
  latencyMs: number
}

export interface ColumnInfo {
  name: string
  /** The type as the database names it (lower case), e.g. "integer", "varchar(20)", "jsonb". */
  type: string
  nullable: boolean
  hasDefault: boolean
}

/** One of Migr8's own writes (INSERT/UPDATE/DELETE with `?` placeholders), for `Session.writeAll`. */
export interface SqlWrite {
  sql: string
  params: readonly unknown[]
}

/** One connection; statements on it run in order, so it can hold a transaction or a session lock. */
export interface Session {
  /** Runs one statement with `?` placeholders and returns its rows (empty for non-queries). */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>
  /** Runs one statement of a user's script as it is (no placeholders). */
  execute(sql: string): Promise<void>
  /**
   * Runs several of Migr8's own writes atomically in as few round trips as the dialect allows: one
   * statement on PostgreSQL (data-modifying CTEs), one transaction (or the open one) elsewhere. The
   * writes must touch different rows, as they may run in any order and see the same snapshot.
   */
  writeAll(writes: readonly SqlWrite[]): Promise<void>
  begin(): Promise<void>
  commit(): Promise<void>
  rollback(): Promise<void>
}

/** Whether a migration's statements can run inside one transaction on this dialect, and why not. */
export interface TransactionPolicy {
  transactional: boolean
  reason?: string
}

/**
 * The only place that knows a dialect. Engines (migrate, backup, seed) talk to databases through
 * this interface and never branch on the dialect themselves.
 */
export interface Adapter {
  readonly dialect: Dialect
  readonly connection: ConnectionConfig
  /** Checks the server answers; reports its version and the round-trip time. */
  ping(): Promise<ServerInfo>
  /** Runs one statement on a pooled connection. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>
  /** Runs `fn` on one dedicated connection, released afterwards (also on error). */
  withSession<T>(fn: (session: Session) => Promise<T>): Promise<T>
  /** Runs `fn` in a transaction on one connection: commit on success, rollback on error. */
  withTransaction<T>(fn: (session: Session) => Promise<T>): Promise<T>

  /** Quotes an identifier (table, column); a dotted name is quoted as one identifier. */
  quoteIdent(name: string): string
  /** The table name qualified with the configured schema, quoted. */
  qualifiedTable(name: string): string
  /** Cuts a script into statements with this dialect's lexer. */
  splitScript(sql: string): SqlStatement[]
  /** Decides whether a migration can run in a transaction (DDL auto-commit, CONCURRENTLY, …). */
  transactionPolicy(statements: readonly SqlStatement[]): TransactionPolicy

  /** DDL creating Migr8's history, journal and lock tables if they do not exist. */
  historyTablesDdl(table: string): string[]

  /**
   * Session-level advisory lock (PostgreSQL pg_try_advisory_lock, MySQL GET_LOCK). Returns
   * undefined when the dialect has none (SQLite): the caller then uses the lease table.
   */
  tryAdvisoryLock?(session: Session, key: string): Promise<boolean>
  releaseAdvisoryLock?(session: Session, key: string): Promise<void>

  /** Column list of a table, in order; undefined when the table does not exist. */
  describeTable(table: string): Promise<ColumnInfo[] | undefined>
  /** Translates a driver error into a typed error with a remedy. */
  translateError(error: unknown, context?: string): Migr8Error
  close(): Promise<void>
}
