import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
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
import { leadingKeywords, splitSql } from './sql/split.js'
import { historyTablesDdl, type HistoryColumnTypes } from './history-ddl.js'
import { inTransaction } from './transaction.js'

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

/** better-sqlite3 binds numbers, strings, bigints, buffers and null only. */
function bindable(value: unknown): unknown {
  if (value === undefined) return null
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value instanceof Date) return value.toISOString()
  return value
}

/**
 * SQLite runs in-process on one connection, so a "session" is that connection: calls are
 * synchronous and cannot interleave inside one statement.
 */
class SqliteSession implements Session {
  constructor(private readonly adapter: SqliteAdapter) {}
  async query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    try {
      const statement = this.adapter.db.prepare(sql)
      const values = params.map(bindable)
      if (statement.reader) return statement.all(...values) as T[]
      statement.run(...values)
      return []
    } catch (error) {
      throw this.adapter.translateError(error)
    }
  }
  async execute(sql: string): Promise<void> {
    try {
      this.adapter.db.exec(sql)
    } catch (error) {
      throw this.adapter.translateError(error)
    }
  }
  /** In the open transaction, or in one of its own: one commit (one journal sync) for all the writes. */
  async writeAll(writes: readonly SqlWrite[]): Promise<void> {
    if (writes.length === 1 || this.adapter.db.inTransaction) {
      for (const write of writes) await this.query(write.sql, write.params)
      return
    }
    await this.begin()
    try {
      for (const write of writes) await this.query(write.sql, write.params)
      await this.commit()
    } catch (error) {
      if (this.adapter.db.inTransaction) await this.rollback().catch(() => undefined)
      throw error
    }
  }
  begin = () => this.execute('BEGIN IMMEDIATE')
  commit = () => this.execute('COMMIT')
  rollback = () => this.execute('ROLLBACK')
}

const HISTORY_TYPES: HistoryColumnTypes = {
  version: 'TEXT',
  text: 'TEXT',
  longText: 'TEXT',
  timestamp: 'TEXT',
  bigint: 'INTEGER',
  int: 'INTEGER',
  autoId: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  tableOptions: '',
}

export class SqliteAdapter implements Adapter {
  readonly dialect = 'sqlite' as const
  readonly db: Database.Database
  private readonly session = new SqliteSession(this)

  constructor(readonly connection: ConnectionConfig) {
    const file = connection.database
    if (file !== ':memory:' && !existsSync(dirname(file))) {
      throw new Migr8Error(
        'DATABASE_MISSING',
        `The folder of the SQLite database ${file} does not exist.`,
        `Create the folder ${dirname(file)} or fix the database path of this profile.`,
      )
    }
    try {
      // busy timeout: concurrent migr8 processes wait for each other's write locks instead of failing.
      this.db = new Database(file, { timeout: Math.max(connection.connectTimeoutMs, 5_000) })
    } catch (error) {
      throw this.translateError(error)
    }
  }

  async ping(): Promise<ServerInfo> {
    const started = performance.now()
    const row = this.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }
    return { version: `SQLite ${row.v}`, latencyMs: Math.round((performance.now() - started) * 10) / 10 }
  }

  query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.session.query<T>(sql, params)
  }

  async withSession<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    return fn(this.session)
  }

  async withTransaction<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    return inTransaction(this.session, fn)
  }

  quoteIdent = quoteIdent

  qualifiedTable(name: string): string {
    return quoteIdent(name)
  }

  splitScript(sql: string): SqlStatement[] {
    return splitSql(sql, 'sqlite')
  }

  transactionPolicy(statements: readonly SqlStatement[]): TransactionPolicy {
    for (const statement of statements) {
      const words = leadingKeywords(statement.sql, 2)
      if (words[0] === 'VACUUM')
        return { transactional: false, reason: `VACUUM (line ${statement.line}) cannot run inside a transaction` }
      if (
        words[0] === 'PRAGMA' &&
        /^(FOREIGN_KEYS|JOURNAL_MODE)\b/i.test(statement.sql.replace(/^\s*PRAGMA\s+/i, ''))
      ) {
        return { transactional: false, reason: `PRAGMA at line ${statement.line} has no effect inside a transaction` }
      }
    }
    return { transactional: true }
  }

  historyTablesDdl(table: string): string[] {
    return historyTablesDdl((suffix) => this.qualifiedTable(`${table}${suffix}`), HISTORY_TYPES)
  }

  async describeTable(table: string): Promise<ColumnInfo[] | undefined> {
    const rows = this.db
      .prepare('SELECT name, type, "notnull" AS nn, dflt_value, pk FROM pragma_table_info(?)')
      .all(table) as Array<{
      name: string
      type: string
      nn: number
      dflt_value: unknown
      pk: number
    }>
    if (rows.length === 0) return undefined
    return rows.map((row) => ({
      name: row.name,
      type: row.type.toLowerCase(),
      nullable: row.nn === 0 && row.pk === 0,
      // An INTEGER PRIMARY KEY is the rowid: SQLite fills it.
      hasDefault: row.dflt_value !== null || (row.pk === 1 && row.type.toUpperCase() === 'INTEGER'),
    }))
  }

  translateError(error: unknown, context?: string): Migr8Error {
    if (error instanceof Migr8Error) return error
    const e = error as { code?: string; message?: string }
    const message = e.message ?? String(error)
    const where = context ? `${context}: ` : ''
    const details = { driverCode: e.code }
    if (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED') {
      return new Migr8Error(
        'LOCK_TIMEOUT',
        `${where}the SQLite database is locked by another connection: ${message}.`,
        'Close other programs writing to the file, or retry.',
        details,
        error,
      )
    }
    if (e.code === 'SQLITE_CANTOPEN') {
      return new Migr8Error(
        'DATABASE_MISSING',
        `Cannot open the SQLite database ${this.connection.database}: ${message}.`,
        'Check the file path and its folder permissions.',
        details,
        error,
      )
    }
    if (e.code === 'SQLITE_READONLY' || e.code === 'SQLITE_PERM') {
      return new Migr8Error(
        'PERMISSION_DENIED',
        `${where}the SQLite database is read-only: ${message}.`,
        'Check the file and its folder are writable by this user.',
        details,
        error,
      )
    }
    if (e.code === 'SQLITE_FULL') {
      return new Migr8Error(
        'DISK_FULL',
        `${where}the disk is full: ${message}.`,
        'Free some space and run again.',
        details,
        error,
      )
    }
    if (/syntax error/i.test(message)) {
      return new Migr8Error(
        'SQL_SYNTAX',
        `${where}${message}.`,
        'Fix the SQL near the token SQLite names.',
        details,
        error,
      )
    }
    return new Migr8Error(
      'QUERY_FAILED',
      `${where}${message}`,
      'Fix the statement or the data it touches, then run again.',
      details,
      error,
    )
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close()
  }
}
