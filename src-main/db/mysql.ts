import { createHash } from 'node:crypto'
import { connect } from 'node:net'
import mysql from 'mysql2/promise'
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

/** Statements MySQL can roll back; anything else (DDL) commits the open transaction implicitly. */
const TRANSACTIONAL_FIRST_WORDS = new Set([
  'INSERT',
  'UPDATE',
  'DELETE',
  'REPLACE',
  'SELECT',
  'WITH',
  'SET',
  'DO',
  'CALL',
  'VALUES',
])

function quoteIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``
}

class MysqlSession implements Session {
  constructor(
    private readonly connection: mysql.PoolConnection,
    private readonly adapter: MysqlAdapter,
  ) {}
  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      const [rows] = await this.connection.query(sql, params as unknown[])
      return Array.isArray(rows) ? (rows as T[]) : []
    } catch (error) {
      throw this.adapter.translateError(error)
    }
  }
  async execute(sql: string): Promise<void> {
    try {
      // The text protocol, without values, so a `?` in a user's script is never taken as a placeholder.
      await this.connection.query({ sql })
    } catch (error) {
      throw this.adapter.translateError(error)
    }
  }
  /** In the open transaction, or in one of its own: one commit (one log flush) for all the writes. */
  async writeAll(writes: readonly SqlWrite[]): Promise<void> {
    if (writes.length === 1 || this.inTransaction) {
      for (const write of writes) await this.query(write.sql, write.params)
      return
    }
    await inTransaction(this, async () => {
      for (const write of writes) await this.query(write.sql, write.params)
    })
  }
  private inTransaction = false
  begin = async () => {
    await this.execute('START TRANSACTION')
    this.inTransaction = true
  }
  commit = async () => {
    this.inTransaction = false
    await this.execute('COMMIT')
  }
  rollback = async () => {
    this.inTransaction = false
    await this.execute('ROLLBACK')
  }
  /** The driver connection, for LOAD DATA LOCAL INFILE (seed). */
  get raw(): mysql.PoolConnection {
    return this.connection
  }
}

const HISTORY_TYPES: HistoryColumnTypes = {
  version: 'varchar(191)',
  text: 'text',
  longText: 'mediumtext',
  timestamp: 'datetime(3)',
  bigint: 'bigint',
  int: 'int',
  autoId: 'bigint AUTO_INCREMENT PRIMARY KEY',
  tableOptions: ' DEFAULT CHARSET=utf8mb4',
}

export class MysqlAdapter implements Adapter {
  readonly dialect = 'mysql' as const
  private pool: mysql.Pool

  constructor(readonly connection: ConnectionConfig) {
    this.pool = this.createPool(tlsOptionsFor(connection))
  }

  private createPool(ssl: ReturnType<typeof tlsOptionsFor>): mysql.Pool {
    const { connection } = this
    const pool = mysql.createPool({
      // Through an SSH tunnel, mysql2 must know the server's real name: it is the one TLS verify-full checks.
      host: connection.tlsServername ?? connection.host,
      port: connection.port,
      ...(connection.tlsServername ? { stream: () => connect(connection.port, connection.host) } : {}),
      user: connection.user,
      password: connection.password,
      database: connection.database,
      // mysql2 hands these options to tls.connect; its own type lists only a subset of them.
      ssl: ssl === false ? undefined : (ssl as NonNullable<mysql.PoolOptions['ssl']>),
      connectionLimit: connection.poolMax,
      connectTimeout: connection.connectTimeoutMs,
      timezone: 'Z',
      supportBigNumbers: true,
      bigNumberStrings: true,
      multipleStatements: false,
      charset: 'utf8mb4',
    })
    // Idle connections dropped by the server must not crash the process.
    pool.on('connection', (conn) => conn.on('error', () => undefined))
    return pool
  }

  private async checkout(): Promise<mysql.PoolConnection> {
    try {
      return await this.pool.getConnection()
    } catch (error) {
      if (
        this.connection.ssl.mode === 'prefer' &&
        /ssl|HANDSHAKE_NO_SSL_SUPPORT/i.test(String((error as { code?: string }).code) + (error as Error).message)
      ) {
        await this.pool.end().catch(() => undefined)
        this.pool = this.createPool(false)
        return this.checkout()
      }
      throw this.translateError(error)
    }
  }

  async ping(): Promise<ServerInfo> {
    const started = performance.now()
    const rows = await this.query<{ v: string }>('SELECT VERSION() AS v')
    const raw = rows[0].v
    const flavour = /mariadb/i.test(raw) ? 'MariaDB' : 'MySQL'
    return {
      version: `${flavour} ${raw.split('-')[0]}`,
      latencyMs: Math.round((performance.now() - started) * 10) / 10,
    }
  }

  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return retryIfStale(() => this.withSession((session) => session.query<T>(sql, params)))
  }

  async withSession<T>(fn: (session: MysqlSession) => Promise<T>): Promise<T> {
    const connection = await this.checkout()
    let broken = false
    try {
      return await fn(new MysqlSession(connection, this))
    } catch (error) {
      broken = error instanceof Migr8Error && error.code === 'CONNECTION_LOST'
      throw error
    } finally {
      if (broken) connection.destroy()
      else connection.release()
    }
  }

  async withTransaction<T>(fn: (session: MysqlSession) => Promise<T>): Promise<T> {
    return this.withSession((session) => inTransaction(session, fn))
  }

  quoteIdent = quoteIdent

  qualifiedTable(name: string): string {
    return quoteIdent(name)
  }

  splitScript(sql: string): SqlStatement[] {
    return splitSql(sql, 'mysql')
  }

  transactionPolicy(statements: readonly SqlStatement[]): TransactionPolicy {
    for (const statement of statements) {
      const [first] = leadingKeywords(statement.sql, 1)
      if (!TRANSACTIONAL_FIRST_WORDS.has(first ?? '')) {
        return {
          transactional: false,
          reason: `MySQL commits ${first ?? 'this statement'} (line ${statement.line}) implicitly, so progress is recorded per statement`,
        }
      }
    }
    return { transactional: true }
  }

  historyTablesDdl(table: string): string[] {
    return historyTablesDdl((suffix) => this.qualifiedTable(`${table}${suffix}`), HISTORY_TYPES)
  }

  /** GET_LOCK names are limited to 64 characters, so the key is hashed. */
  private lockName(key: string): string {
    return `migr8:${createHash('sha256').update(key).digest('hex').slice(0, 48)}`
  }

  async tryAdvisoryLock(session: Session, key: string): Promise<boolean> {
    const rows = await session.query<{ ok: number | string | null }>('SELECT GET_LOCK(?, 0) AS ok', [
      this.lockName(key),
    ])
    return Number(rows[0].ok) === 1
  }

  async releaseAdvisoryLock(session: Session, key: string): Promise<void> {
    await session.query('SELECT RELEASE_LOCK(?)', [this.lockName(key)])
  }

  async describeTable(table: string): Promise<ColumnInfo[] | undefined> {
    const rows = await this.query<{ name: string; type: string; nullable: string; has_default: number | string }>(
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable,
              (COLUMN_DEFAULT IS NOT NULL OR EXTRA LIKE '%auto_increment%' OR EXTRA LIKE '%GENERATED%') AS has_default
         FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?
        ORDER BY ORDINAL_POSITION`,
      [table],
    )
    if (rows.length === 0) return undefined
    return rows.map((row) => ({
      name: row.name,
      type: row.type.toLowerCase(),
      nullable: row.nullable === 'YES',
      hasDefault: Number(row.has_default) === 1,
    }))
  }

  translateError(error: unknown, context?: string): Migr8Error {
    if (error instanceof Migr8Error) return error
    const e = error as { code?: string; errno?: number; message?: string; sqlMessage?: string }
    const message = e.sqlMessage ?? e.message ?? String(error)
    const where = context ? `${context}: ` : ''
    const target = describeTarget(this.connection)
    const details = { driverCode: e.code, errno: e.errno }
    switch (e.errno) {
      case 1045:
        return new Migr8Error(
          'AUTH_FAILED',
          `Access denied for user "${this.connection.user}" on the ${target}.`,
          'Check the user and password of this profile (or database.password).',
          details,
          error,
        )
      case 1049:
        return new Migr8Error(
          'DATABASE_MISSING',
          `The database "${this.connection.database}" does not exist on the ${target}.`,
          `Create it (CREATE DATABASE \`${this.connection.database}\`) or fix the database name of this profile.`,
          details,
          error,
        )
      case 1044:
      case 1142:
      case 1227:
        return new Migr8Error(
          'PERMISSION_DENIED',
          `${where}${message}.`,
          `Grant the needed privilege to "${this.connection.user}".`,
          details,
          error,
        )
      case 1064:
        return new Migr8Error(
          'SQL_SYNTAX',
          `${where}${message}.`,
          'Fix the SQL near the text MySQL quotes.',
          details,
          error,
        )
      case 3159:
        return new Migr8Error(
          'TLS_REQUIRED',
          `The ${target} requires a secure transport.`,
          'Set database.ssl.mode to require (or verify-full with a CA file).',
          details,
          error,
        )
      case 1205:
        return new Migr8Error(
          'LOCK_TIMEOUT',
          `${where}lock wait timeout: ${message}.`,
          'Another session holds a conflicting lock; retry when it finishes.',
          details,
          error,
        )
      case 2013:
      case 2006:
      case 1927:
        return new Migr8Error(
          'CONNECTION_LOST',
          `${where}the connection to the ${target} was lost: ${message}.`,
          'Check the server is running and run the command again.',
          details,
          error,
        )
    }
    if (e.code === 'HANDSHAKE_NO_SSL_SUPPORT') {
      return new Migr8Error(
        'TLS_FAILED',
        `The ${target} does not support TLS, but the profile requires it.`,
        'Enable TLS on the server or set database.ssl.mode to disable/prefer.',
        details,
        error,
      )
    }
    const network = translateNetworkError(error, this.connection)
    if (network) return network
    return new Migr8Error(
      'QUERY_FAILED',
      `${where}${message}`,
      'Fix the statement or the data it touches, then run again.',
      details,
      error,
    )
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined)
  }
}
