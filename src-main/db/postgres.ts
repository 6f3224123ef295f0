import type pg from 'pg'
import pgUtils from 'pg/lib/utils.js'
import { Migr8Error } from '../../src-shared/errors.js'
import type { ConnectionConfig } from '../config/schema.js'
import type {
  Adapter,
  ColumnInfo,
  Row,
  ServerInfo,
  Session,
  SqlStatement,
  SqlWrite,
  TransactionPolicy,
} from './adapter.js'
import { describeTarget, retryIfStale, translateNetworkError } from './errors.js'
import { leadingKeywords, splitSql } from './sql/split.js'
import { tlsOptionsFor } from './tls.js'
import { historyTablesDdl, type HistoryColumnTypes } from './history-ddl.js'
import { inTransaction } from './transaction.js'
import { loadPg } from './pg-driver.js'

const { Pool } = loadPg()

/** Statements PostgreSQL refuses inside a transaction block, by their leading keywords. */
const NON_TRANSACTIONAL: ReadonlyArray<{ words: string[]; label: string }> = [
  { words: ['CREATE', 'INDEX', 'CONCURRENTLY'], label: 'CREATE INDEX CONCURRENTLY' },
  { words: ['CREATE', 'UNIQUE', 'INDEX', 'CONCURRENTLY'], label: 'CREATE UNIQUE INDEX CONCURRENTLY' },
  { words: ['DROP', 'INDEX', 'CONCURRENTLY'], label: 'DROP INDEX CONCURRENTLY' },
  { words: ['REINDEX'], label: 'REINDEX … CONCURRENTLY' },
  { words: ['VACUUM'], label: 'VACUUM' },
  { words: ['ALTER', 'SYSTEM'], label: 'ALTER SYSTEM' },
  { words: ['CREATE', 'DATABASE'], label: 'CREATE DATABASE' },
  { words: ['DROP', 'DATABASE'], label: 'DROP DATABASE' },
  { words: ['CREATE', 'TABLESPACE'], label: 'CREATE TABLESPACE' },
  { words: ['DROP', 'TABLESPACE'], label: 'DROP TABLESPACE' },
  { words: ['CREATE', 'SUBSCRIPTION'], label: 'CREATE SUBSCRIPTION' },
  { words: ['DROP', 'SUBSCRIPTION'], label: 'DROP SUBSCRIPTION' },
  { words: ['ALTER', 'SUBSCRIPTION'], label: 'ALTER SUBSCRIPTION' },
]

/** Converts the engines' portable `?` placeholders to PostgreSQL's `$n`. Internal SQL never quotes a `?`. */
function numberPlaceholders(sql: string): string {
  let index = 0
  return sql.replace(/\?/g, () => `$${++index}`)
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** A write with its `?` parameters spelled as literals, so it can share a simple query with COMMIT. */
function inlineWrite(sql: string, params: readonly unknown[]): string | undefined {
  const literals: string[] = []
  for (const param of params) {
    const value = pgUtils.prepareValue(param)
    if (value !== null && typeof value !== 'string') return undefined // bytea: keep it a bound parameter
    literals.push(value === null ? 'NULL' : pgUtils.escapeLiteral(value))
  }
  let index = 0
  return sql.replace(/\?/g, () => literals[index++])
}

/**
 * One connection. In a transaction it saves two round trips per migration: BEGIN travels with the
 * first statement, and Migr8's own last write travels with COMMIT (each pair as one simple query).
 * An error in such a query skips the rest of it, so what runs, in which order, and atomically, is
 * unchanged.
 */
class PostgresSession implements Session {
  private inTransaction = false
  /** BEGIN was asked for and not sent yet. */
  private beginPending = false
  /** Migr8's write held back to be sent with COMMIT (`?` placeholders); anything else sends it first. */
  private writePending?: SqlWrite

  constructor(
    private readonly client: pg.PoolClient,
    private readonly adapter: PostgresAdapter,
  ) {}

  /** Sends what is held back before a statement that cannot carry it. */
  private async flush(): Promise<void> {
    if (this.beginPending) {
      this.beginPending = false
      await this.client.query('BEGIN')
    }
    const write = this.writePending
    if (write) {
      this.writePending = undefined
      await this.client.query(numberPlaceholders(write.sql), write.params as unknown[])
    }
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      await this.flush()
      const result = await this.client.query(numberPlaceholders(sql), params as unknown[])
      return result.rows as T[]
    } catch (error) {
      throw this.adapter.translateError(error)
    }
  }
  async execute(sql: string): Promise<void> {
    const prefix = this.beginPending && !this.writePending ? 'BEGIN;\n' : ''
    try {
      if (prefix) this.beginPending = false
      else await this.flush()
      await this.client.query(prefix + sql)
    } catch (error) {
      // Error positions count from the start of the query text, which the prefix moved.
      const e = error as { position?: string }
      if (prefix && e.position) e.position = String(Number(e.position) - prefix.length)
      throw this.adapter.translateError(error)
    }
  }
  /** `WITH w0 AS (write 0), w1 AS (write 1) write n`: one statement, so one round trip and atomic on its own. */
  async writeAll(writes: readonly SqlWrite[]): Promise<void> {
    if (writes.length === 0) return
    const last = writes[writes.length - 1]
    const ctes = writes.slice(0, -1).map((write, index) => `migr8_w${index} AS (${write.sql})`)
    const write = {
      sql: ctes.length > 0 ? `WITH ${ctes.join(', ')} ${last.sql}` : last.sql,
      params: writes.flatMap((one) => one.params),
    }
    if (this.inTransaction) {
      try {
        await this.flush()
      } catch (error) {
        throw this.adapter.translateError(error)
      }
      this.writePending = write
      return
    }
    await this.query(write.sql, write.params)
  }
  begin = async () => {
    await this.flush()
    this.beginPending = true
    this.inTransaction = true
  }
  commit = async () => {
    this.inTransaction = false
    const write = this.writePending
    this.writePending = undefined
    if (this.beginPending) {
      // Nothing ran since BEGIN (a held-back write sends BEGIN first): there is nothing to commit.
      this.beginPending = false
      return
    }
    const inlined = write ? inlineWrite(write.sql, write.params) : undefined
    try {
      if (write && inlined === undefined)
        await this.client.query(numberPlaceholders(write.sql), write.params as unknown[])
      await this.client.query(inlined !== undefined ? `${inlined};\nCOMMIT` : 'COMMIT')
    } catch (error) {
      throw this.adapter.translateError(error)
    }
  }
  rollback = async () => {
    this.inTransaction = false
    this.writePending = undefined
    if (this.beginPending) {
      this.beginPending = false
      return
    }
    await this.execute('ROLLBACK')
  }
  /** The checked-out driver client, for COPY streams (seed) that need the raw connection. */
  get raw(): pg.PoolClient {
    // The driver runs a client's queries in the order they were issued: queueing a held-back BEGIN
    // now puts it before anything the caller sends (a failed BEGIN then fails the caller's query).
    if (this.beginPending) {
      this.beginPending = false
      this.client.query('BEGIN').catch(() => undefined)
    }
    return this.client
  }
}

const HISTORY_TYPES: HistoryColumnTypes = {
  version: 'varchar(255)',
  text: 'text',
  longText: 'text',
  timestamp: 'timestamptz',
  bigint: 'bigint',
  int: 'integer',
  autoId: 'bigserial PRIMARY KEY',
  tableOptions: '',
}

export class PostgresAdapter implements Adapter {
  readonly dialect = 'postgres' as const
  private pool: pg.Pool

  constructor(readonly connection: ConnectionConfig) {
    this.pool = this.createPool(tlsOptionsFor(connection))
  }

  private createPool(ssl: ReturnType<typeof tlsOptionsFor>): pg.Pool {
    const { connection } = this
    const pool = new Pool({
      host: connection.host,
      port: connection.port,
      database: connection.database,
      user: connection.user,
      password: connection.password,
      ssl: ssl === false ? false : ssl,
      max: connection.poolMax,
      connectionTimeoutMillis: connection.connectTimeoutMs,
      idleTimeoutMillis: 10_000,
      application_name: 'migr8',
      statement_timeout: connection.statementTimeoutMs,
    })
    // An idle client losing its server must not crash the process; the next query reports it.
    pool.on('error', () => undefined)
    pool.on('connect', (client) => {
      // A killed migr8 must not keep its advisory lock while a long statement runs (PostgreSQL 14+).
      client.query('SET client_connection_check_interval = 2000').catch(() => undefined)
      if (connection.schema) client.query(`SET search_path TO ${quoteIdent(connection.schema)}`).catch(() => undefined)
    })
    return pool
  }

  /** `prefer`: TLS when the server offers it, plain otherwise (libpq's default behaviour). */
  private async checkout(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect()
    } catch (error) {
      if (this.connection.ssl.mode === 'prefer' && /does not support SSL/i.test((error as Error).message)) {
        await this.pool.end().catch(() => undefined)
        this.pool = this.createPool(false)
        return this.checkout()
      }
      throw this.translateError(error)
    }
  }

  async ping(): Promise<ServerInfo> {
    const started = performance.now()
    const rows = await this.query<{ v: string }>("SELECT current_setting('server_version') AS v")
    return {
      version: `PostgreSQL ${rows[0].v.split(' ')[0]}`,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
    }
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return retryIfStale(() => this.withSession((session) => session.query<T>(sql, params)))
  }

  async withSession<T>(fn: (session: PostgresSession) => Promise<T>): Promise<T> {
    const client = await this.checkout()
    let broken: Error | undefined
    // A checked-out client whose server goes away emits 'error'; unheard, that would crash the
    // process. Its next query then fails and is reported as CONNECTION_LOST.
    const onError = (error: Error) => (broken ??= error)
    client.on('error', onError)
    try {
      return await fn(new PostgresSession(client, this))
    } catch (error) {
      // A connection that failed mid-protocol is not reusable.
      if (error instanceof Migr8Error && error.code === 'CONNECTION_LOST') broken ??= error
      throw error
    } finally {
      client.off('error', onError)
      client.release(broken)
    }
  }

  async withTransaction<T>(fn: (session: PostgresSession) => Promise<T>): Promise<T> {
    return this.withSession((session) => inTransaction(session, fn))
  }

  quoteIdent = quoteIdent

  qualifiedTable(name: string): string {
    return this.connection.schema ? `${quoteIdent(this.connection.schema)}.${quoteIdent(name)}` : quoteIdent(name)
  }

  splitScript(sql: string): SqlStatement[] {
    return splitSql(sql, 'postgres')
  }

  transactionPolicy(statements: readonly SqlStatement[]): TransactionPolicy {
    for (const statement of statements) {
      const words = leadingKeywords(statement.sql, 4)
      for (const rule of NON_TRANSACTIONAL) {
        if (rule.words.every((word, index) => words[index] === word)) {
          if (rule.words[0] === 'REINDEX' && !/\bCONCURRENTLY\b/i.test(statement.sql)) continue
          return {
            transactional: false,
            reason: `${rule.label} (line ${statement.line}) cannot run inside a transaction`,
          }
        }
      }
    }
    return { transactional: true }
  }

  historyTablesDdl(table: string): string[] {
    return historyTablesDdl((suffix) => this.qualifiedTable(`${table}${suffix}`), HISTORY_TYPES)
  }

  async tryAdvisoryLock(session: Session, key: string): Promise<boolean> {
    const rows = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended(?, 0)) AS ok', [
      key,
    ])
    return rows[0].ok
  }

  async releaseAdvisoryLock(session: Session, key: string): Promise<void> {
    await session.query('SELECT pg_advisory_unlock(hashtextextended(?, 0))', [key])
  }

  async describeTable(table: string): Promise<ColumnInfo[] | undefined> {
    const rows = await this.query<{
      name: string
      type: string
      nullable: boolean
      has_default: boolean
      found: string | null
    }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
              (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '') AS has_default
         FROM pg_attribute a
        WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [this.qualifiedTable(table)],
    )
    if (rows.length === 0) return undefined
    return rows.map((row) => ({ name: row.name, type: row.type, nullable: row.nullable, hasDefault: row.has_default }))
  }

  translateError(error: unknown, context?: string): Migr8Error {
    if (error instanceof Migr8Error) return error
    const network = translateNetworkError(error, this.connection)
    if (network) return network
    const e = error as { code?: string; message?: string; detail?: string; hint?: string; position?: string }
    const message = e.message ?? String(error)
    const where = context ? `${context}: ` : ''
    const target = describeTarget(this.connection)
    const details = { driverCode: e.code, detail: e.detail, hint: e.hint, position: e.position }
    switch (e.code) {
      case '28P01':
        return new Migr8Error(
          'AUTH_FAILED',
          `Authentication failed for user "${this.connection.user}" on the ${target}.`,
          'Check the user and password of this profile (or PGPASSWORD / database.password).',
          details,
          error,
        )
      case '28000':
        if (/no encryption/i.test(message)) {
          return new Migr8Error(
            'TLS_REQUIRED',
            `The ${target} requires an encrypted connection.`,
            'Set database.ssl.mode to require (or verify-full with a CA file).',
            details,
            error,
          )
        }
        return new Migr8Error(
          'AUTH_FAILED',
          `The ${target} refused user "${this.connection.user}": ${message}.`,
          'Check pg_hba.conf on the server allows this user and host, and the user name of this profile.',
          details,
          error,
        )
      case '3D000':
        return new Migr8Error(
          'DATABASE_MISSING',
          `The database "${this.connection.database}" does not exist on the ${target}.`,
          `Create it (CREATE DATABASE "${this.connection.database}") or fix the database name of this profile.`,
          details,
          error,
        )
      case '42501':
        return new Migr8Error(
          'PERMISSION_DENIED',
          `${where}permission denied: ${message}.`,
          `Grant the needed privilege to "${this.connection.user}" or use a user that owns the objects.`,
          details,
          error,
        )
      case '55P03':
        return new Migr8Error(
          'LOCK_TIMEOUT',
          `${where}could not obtain a lock: ${message}.`,
          'Another session holds a conflicting lock; retry when it finishes, or raise lock_timeout.',
          details,
          error,
        )
      case '57P01':
      case '57P02':
      case '57P03':
        return new Migr8Error(
          'CONNECTION_LOST',
          `${where}the server ended the connection: ${message}.`,
          'Check the server is running and run the command again.',
          details,
          error,
        )
      case '42601':
        return new Migr8Error(
          'SQL_SYNTAX',
          `${where}syntax error: ${message}.`,
          'Fix the SQL at the position shown.',
          details,
          error,
        )
    }
    if (/does not support SSL/i.test(message)) {
      return new Migr8Error(
        'TLS_FAILED',
        `The ${target} does not support TLS, but the profile requires it.`,
        'Enable ssl on the server or set database.ssl.mode to disable/prefer.',
        details,
        error,
      )
    }
    return new Migr8Error(
      'QUERY_FAILED',
      `${where}${message}`,
      e.hint ? `Hint from PostgreSQL: ${e.hint}` : 'Fix the statement or the data it touches, then run again.',
      details,
      error,
    )
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined)
  }
}
