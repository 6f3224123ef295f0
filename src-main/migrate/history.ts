import type { Adapter, Row, Session, SqlWrite } from '../db/adapter.js'
import { Migr8Error } from '../../src-shared/errors.js'
import type { HistoryRow, HistoryState, JournalEntry, JournalEvent } from './model.js'

type Runner = Pick<Session, 'query'>

type HistoryChanges = Partial<
  Pick<HistoryRow, 'state' | 'statementsDone' | 'statementHashes' | 'error' | 'executionMs' | 'checksum' | 'appliedAt'>
>

interface JournalInput {
  version?: string
  event: JournalEvent
  actor: string
  durationMs?: number
  detail?: string
}

function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value))
}

function fromRow(row: Row): HistoryRow {
  const hashes = row.statement_hashes ? String(row.statement_hashes) : ''
  return {
    version: String(row.version),
    name: String(row.name),
    checksum: String(row.checksum),
    state: String(row.state) as HistoryState,
    appliedAt: toDate(row.applied_at),
    executionMs: Number(row.execution_ms),
    appliedBy: String(row.applied_by),
    statementsDone: Number(row.statements_done),
    statementsTotal: Number(row.statements_total),
    statementHashes: hashes ? hashes.split(',') : [],
    error: row.error == null ? undefined : String(row.error),
  }
}

/**
 * Migr8's history (one row per migration) and its append-only journal. All SQL is portable with
 * `?` placeholders; the adapter owns the DDL and the quoting.
 */
export class HistoryStore {
  readonly table: string
  readonly journalTable: string
  readonly lockTable: string

  constructor(
    private readonly adapter: Adapter,
    tableName: string,
  ) {
    this.table = adapter.qualifiedTable(tableName)
    this.journalTable = adapter.qualifiedTable(`${tableName}_journal`)
    this.lockTable = adapter.qualifiedTable(`${tableName}_lock`)
    this.ddl = adapter.historyTablesDdl(tableName)
  }

  private readonly ddl: string[]

  /** Creates the tables if needed. Called while holding the migration lock, so never concurrently. */
  async ensure(runner: Runner = this.adapter): Promise<void> {
    for (const statement of this.ddl) await runner.query(statement)
  }

  /** True once all three tables exist: the lock table is created last, so a reader never sees half of them. */
  async exists(): Promise<boolean> {
    try {
      await this.adapter.query(`SELECT 1 FROM ${this.lockTable} WHERE 1 = 0`)
      return true
    } catch (error) {
      // Only a missing table means "no history"; a lost connection must not read as an empty database.
      if (error instanceof Migr8Error && error.code === 'QUERY_FAILED') return false
      throw error
    }
  }

  /** The whole history in one query. */
  async load(runner: Runner = this.adapter): Promise<Map<string, HistoryRow>> {
    const rows = await runner.query(`SELECT * FROM ${this.table}`)
    return new Map(rows.map((row) => [String(row.version), fromRow(row)]))
  }

  async insert(runner: Runner, row: HistoryRow): Promise<void> {
    const write = this.insertWrite(row)
    await runner.query(write.sql, write.params)
  }

  insertWrite(row: HistoryRow): SqlWrite {
    return {
      sql: `INSERT INTO ${this.table} (version, name, checksum, state, applied_at, execution_ms, applied_by, statements_done, statements_total, statement_hashes, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [
        row.version,
        row.name,
        row.checksum,
        row.state,
        row.appliedAt,
        row.executionMs,
        row.appliedBy,
        row.statementsDone,
        row.statementsTotal,
        row.statementHashes.join(','),
        row.error ?? null,
      ],
    }
  }

  /**
   * A change of the history and its journal entry as one atomic write, in one round trip where the
   * dialect allows (PostgreSQL): what every applied or rolled-back migration records.
   */
  async record(runner: Pick<Session, 'writeAll'>, writes: Array<SqlWrite | undefined>): Promise<void> {
    await runner.writeAll(writes.filter((write): write is SqlWrite => write !== undefined))
  }

  /** Records progress of a non-transactional run, statement by statement. */
  async update(runner: Runner, version: string, changes: HistoryChanges): Promise<void> {
    const write = this.updateWrite(version, changes)
    if (write) await runner.query(write.sql, write.params)
  }

  updateWrite(version: string, changes: HistoryChanges): SqlWrite | undefined {
    const columns: Array<[string, unknown]> = []
    if (changes.state !== undefined) columns.push(['state', changes.state])
    if (changes.statementsDone !== undefined) columns.push(['statements_done', changes.statementsDone])
    if (changes.statementHashes !== undefined) columns.push(['statement_hashes', changes.statementHashes.join(',')])
    if ('error' in changes) columns.push(['error', changes.error ?? null])
    if (changes.executionMs !== undefined) columns.push(['execution_ms', changes.executionMs])
    if (changes.checksum !== undefined) columns.push(['checksum', changes.checksum])
    if (changes.appliedAt !== undefined) columns.push(['applied_at', changes.appliedAt])
    if (columns.length === 0) return undefined
    return {
      sql: `UPDATE ${this.table} SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE version = ?`,
      params: [...columns.map(([, v]) => v), version],
    }
  }

  async remove(runner: Runner, version: string): Promise<void> {
    const write = this.removeWrite(version)
    await runner.query(write.sql, write.params)
  }

  removeWrite(version: string): SqlWrite {
    return { sql: `DELETE FROM ${this.table} WHERE version = ?`, params: [version] }
  }

  async journal(runner: Runner, entry: JournalInput): Promise<void> {
    const write = this.journalWrite(entry)
    await runner.query(write.sql, write.params)
  }

  journalWrite(entry: JournalInput): SqlWrite {
    return {
      sql: `INSERT INTO ${this.journalTable} (version, event, at, actor, duration_ms, detail) VALUES (?, ?, ?, ?, ?, ?)`,
      params: [
        entry.version ?? null,
        entry.event,
        new Date(),
        entry.actor,
        entry.durationMs ?? null,
        entry.detail ?? null,
      ],
    }
  }

  /** Journal entries, newest first; `limit` bounds what the timeline loads. */
  async readJournal(limit = 1000): Promise<JournalEntry[]> {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Migr8Error(
        'BAD_USAGE',
        `Journal limit ${limit} is not a positive integer.`,
        'Pass a whole number such as 100.',
      )
    const rows = await this.adapter.query(`SELECT * FROM ${this.journalTable} ORDER BY id DESC LIMIT ${limit}`)
    return rows.map((row) => ({
      id: Number(row.id),
      version: row.version == null ? null : String(row.version),
      event: String(row.event) as JournalEvent,
      at: toDate(row.at),
      actor: String(row.actor),
      durationMs: row.duration_ms == null ? null : Number(row.duration_ms),
      detail: row.detail == null ? null : String(row.detail),
    }))
  }

  /** The last failure per version; status shows it beside migrations that are still pending. */
  async lastFailures(): Promise<Map<string, string>> {
    const rows = await this.adapter.query(
      `SELECT version, detail FROM ${this.journalTable} WHERE event = ? ORDER BY id`,
      ['failed'],
    )
    return new Map(rows.map((row) => [String(row.version), String(row.detail ?? 'failed')]))
  }
}
