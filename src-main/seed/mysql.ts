import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { PassThrough, Readable, Transform } from 'node:stream'
import type { Socket } from 'node:net'
import mysql from 'mysql2/promise'
import { Migr8Error, cancelled } from '../../src-shared/errors.js'
import type { Adapter, ColumnInfo, Session } from '../db/adapter.js'
import { notUtf8, streamCsv, type CsvFormat } from './csv.js'
import { classifyTarget, emptyMeansNull } from './infer.js'
import { scanFile } from './scan.js'
import {
  LineMap,
  textFormatRow,
  valueText,
  type CsvPassthrough,
  type LoadTarget,
  type LoaderSession,
  type RowWriter,
  type SeedLoader,
} from './loader.js'

/** Bytes queued towards the server before `write` asks the caller to wait. */
const HIGH_WATER = 4 << 20

/** mysql2's escaping; `true` forbids the dotted (qualified) form, so `a.b` stays one identifier. */
export const escapeId = (name: string): string =>
  (mysql.escapeId as (value: string, forbidQualified?: boolean) => string)(name, true)

interface LoadResult {
  affectedRows: number
  warningStatus: number
  info?: string
}

function rawConnection(session: Session): mysql.PoolConnection {
  const raw = (session as unknown as { raw?: mysql.PoolConnection }).raw
  if (!raw)
    throw new Migr8Error(
      'INTERNAL',
      'The MySQL session has no driver connection.',
      'Report this: the seed engine needs MysqlSession.raw.',
    )
  return raw
}

function socketOf(raw: mysql.PoolConnection): Socket | undefined {
  return (raw as unknown as { connection?: { stream?: Socket } }).connection?.stream
}

/**
 * The server names the file it wants in its LOCAL INFILE request; a hostile server can ask for any
 * path. Only the one-off token Migr8 put in its own statement is answered.
 */
export function infileFactoryFor(token: string, stream: Readable): (path: string) => Readable {
  return (path: string) => {
    if (path === token) return stream
    return new Readable({
      read() {
        this.destroy(
          new Error(
            `refused the server's request for local file ${JSON.stringify(path)}: Migr8 only sends the data it started loading`,
          ),
        )
      },
    })
  }
}

/** `… for column `total` at row 3` → 3 */
function warningRow(message: string): number | undefined {
  const match = /at row (\d+)/.exec(message)
  return match ? Number(match[1]) : undefined
}

/** MySQL / MariaDB: LOAD DATA LOCAL INFILE fed by a stream, or multi-row INSERTs when local_infile is off. */
export class MysqlLoader implements SeedLoader {
  readonly checksValues = true
  private localInfile?: boolean
  private maxPacket?: number

  constructor(
    private readonly adapter: Adapter,
    private readonly options: { forceInsert?: boolean } = {},
  ) {}

  async transaction<T>(fn: (session: LoaderSession) => Promise<T>): Promise<T> {
    if (this.localInfile === undefined) {
      const rows = await this.adapter.query<{ li: number | string; mp: number | string }>(
        'SELECT @@GLOBAL.local_infile AS li, @@max_allowed_packet AS mp',
      )
      this.localInfile = Number(rows[0].li) === 1 && !this.options.forceInsert
      this.maxPacket = Number(rows[0].mp)
    }
    return this.adapter.withTransaction((session) =>
      fn(
        new MysqlLoaderSession(
          this.adapter,
          session,
          rawConnection(session),
          this.localInfile!,
          this.maxPacket ?? 4 << 20,
        ),
      ),
    )
  }
}

class MysqlLoaderSession implements LoaderSession {
  constructor(
    private readonly adapter: Adapter,
    private readonly session: Session,
    private readonly raw: mysql.PoolConnection,
    private readonly localInfile: boolean,
    private readonly maxPacket: number,
  ) {}

  /** DELETE (TRUNCATE would commit the transaction), also from the tables that reference it. */
  async truncate(table: string): Promise<string[]> {
    const tables = [table]
    for (let i = 0; i < tables.length; i++) {
      const referencing = await this.session.query<{ t: string }>(
        `SELECT DISTINCT TABLE_NAME AS t FROM information_schema.KEY_COLUMN_USAGE
          WHERE REFERENCED_TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME = ?`,
        [tables[i]],
      )
      for (const row of referencing) if (!tables.includes(row.t)) tables.push(row.t)
    }
    // Every referencing table is emptied too, so no row is left pointing at a deleted one.
    await this.session.execute('SET FOREIGN_KEY_CHECKS = 0')
    try {
      for (const name of tables.slice().reverse()) await this.session.execute(`DELETE FROM ${escapeId(name)}`)
    } finally {
      await this.session.execute('SET FOREIGN_KEY_CHECKS = 1')
    }
    return tables
  }

  private async load(sql: string, token: string, data: Readable): Promise<LoadResult> {
    try {
      const [result] = await this.raw.query({ sql, infileStreamFactory: infileFactoryFor(token, data) })
      return result as unknown as LoadResult
    } catch (error) {
      const code = (error as { errno?: number }).errno
      if (code === 1148 || code === 3948) {
        throw new Migr8Error(
          'SEED_FAILED',
          'The server refuses LOAD DATA LOCAL INFILE.',
          'Set local_infile=ON on the server, or let Migr8 fall back to INSERTs (it does so when the server reports local_infile=OFF).',
          { errno: code },
          error,
        )
      }
      throw this.adapter.translateError(error)
    }
  }

  /** Fails the load when the server turned bad values into warnings (LOAD DATA LOCAL never stops on them). */
  private async checkWarnings(
    result: LoadResult,
    table: string,
    lineOf: (row: number) => number | undefined | Promise<number | undefined>,
  ): Promise<void> {
    if (!result.warningStatus) return
    const warnings = await this.session.query<{ Level: string; Code: number; Message: string }>(
      'SHOW WARNINGS LIMIT 10',
    )
    const serious = warnings.filter((warning) => warning.Level !== 'Note')
    if (serious.length === 0) return
    const first = serious[0]
    const row = warningRow(first.Message)
    const line = row !== undefined ? await lineOf(row - 1) : undefined
    throw new Migr8Error(
      'SEED_FAILED',
      `${line !== undefined ? `line ${line}: ` : ''}${first.Message} (loading ${table}; ${result.warningStatus} warning${result.warningStatus === 1 ? '' : 's'} in all).`,
      'Fix the value in the seed file (or run with --validate to check every value before loading).',
      { line, warnings: serious.map((warning) => warning.Message) },
    )
  }

  async rows(target: LoadTarget): Promise<RowWriter> {
    return this.localInfile ? this.loadDataWriter(target) : this.insertWriter(target)
  }

  private loadDataWriter(target: LoadTarget): RowWriter {
    const token = `migr8-seed-${randomUUID()}.tsv`
    const data = new PassThrough({ highWaterMark: 1 << 20 })
    const columns = target.columns.map((column) => escapeId(column.name)).join(', ')
    const sql = `LOAD DATA LOCAL INFILE ${mysql.escape(token)} INTO TABLE ${escapeId(target.table)} CHARACTER SET utf8mb4
      FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${columns})`
    const lines = new LineMap()
    let failure: unknown
    const done = this.load(sql, token, data)
    done.catch((error) => (failure ??= error))
    const socket = socketOf(this.raw)
    const congested = () => data.writableLength > HIGH_WATER || (socket?.writableLength ?? 0) > HIGH_WATER
    const writeText = (chunk: string, rowLines: ArrayLike<number>) => {
      if (failure) throw failure
      lines.add(rowLines)
      data.write(chunk)
      if (!congested()) return
      return new Promise<void>((resolve) => {
        const check = () => {
          if (failure || !congested()) resolve()
          else setTimeout(check, 2)
        }
        check()
      })
    }
    return {
      method: 'load-data',
      textFormat: 'mysql',
      writeText,
      write(rows, rowLines) {
        let chunk = ''
        for (const row of rows) chunk += textFormatRow(row, 'mysql')
        return writeText(chunk, rowLines)
      },
      finish: async () => {
        data.end()
        const result = await done
        await this.checkWarnings(result, target.table, (row) => lines.lineOf(row))
        return result.affectedRows
      },
      async abort() {
        // Ending (not destroying) the stream lets the statement finish whether or not the server has
        // asked for the data yet; the caller then rolls the transaction back.
        data.end()
        await done.catch(() => undefined)
      },
    }
  }

  private insertWriter(target: LoadTarget): RowWriter {
    const prefix = `INSERT INTO ${escapeId(target.table)} (${target.columns.map((column) => escapeId(column.name)).join(', ')}) VALUES `
    const budget = Math.max(Math.min(this.maxPacket - 4096, 32 << 20), 16 << 10)
    let statement = ''
    let firstLine = 0
    let lastLine = 0
    let inserted = 0
    const flush = async () => {
      if (!statement) return
      const sql = prefix + statement
      const [from, to] = [firstLine, lastLine]
      statement = ''
      try {
        const [result] = await this.raw.query(sql)
        inserted += (result as unknown as LoadResult).affectedRows
      } catch (error) {
        const typed = this.adapter.translateError(error, `loading ${target.table}`)
        throw new Migr8Error(
          'SEED_FAILED',
          `lines ${from}–${to}: ${typed.message}`,
          typed.remedy,
          { ...typed.details, line: from },
          error,
        )
      }
    }
    const literal = (value: unknown) =>
      value === null || value === undefined ? 'NULL' : mysql.escape(valueText(value, 'mysql'))
    return {
      method: 'insert',
      write(rows, rowLines) {
        let pending: Promise<void> | undefined
        for (let i = 0; i < rows.length; i++) {
          const tuple = `(${rows[i].map(literal).join(',')})`
          if (statement && prefix.length + statement.length + tuple.length + 1 > budget) {
            const sql = flush()
            pending = pending ? pending.then(() => sql) : sql
          }
          if (!statement) firstLine = rowLines[i]
          statement += statement ? `,${tuple}` : tuple
          lastLine = rowLines[i]
        }
        return pending
      },
      async finish() {
        await flush()
        return inserted
      },
      async abort() {
        statement = ''
      },
    }
  }

  /**
   * Sends the CSV file's bytes as they are to LOAD DATA … FIELDS ENCLOSED BY '"' ESCAPED BY '' (so a
   * backslash is data), with user variables turning the configured NULL markers (and empty fields of
   * non-text columns) into NULL exactly as the parsing path does.
   */
  async csvPassthrough(
    target: LoadTarget,
    csv: CsvPassthrough,
  ): Promise<{ rows: number; method: 'load-data-passthrough' } | undefined> {
    if (!this.localInfile) return undefined
    const markers = csv.nullValues.filter((value) => value !== '')
    // Only a file the server reads as it is: turning NULL markers, empty fields or boolean spellings into
    // the engine's values takes per-column SET expressions, which cost the server more than parsing the
    // file in the engine's worker thread costs (measured in docs/performance.md, "Seeds").
    const plain = csv.columns.every(
      (column) =>
        !csv.nullValues.includes('') &&
        !emptyMeansNull(classifyTarget(column.type)) &&
        classifyTarget(column.type) !== 'boolean',
    )
    if (markers.length > 0 || !plain) return undefined
    const scan = await scanFile(csv.file, [], csv.signal)
    if (scan.invalidUtf8At !== undefined) throw notUtf8(csv.file, scan.invalidUtf8At)
    // An unclosed quote: the parsing path reports its line instead of loading the rest of the file as one value.
    if (scan.oddQuotes) return undefined
    const token = `migr8-seed-${randomUUID()}.csv`
    const sql = `LOAD DATA LOCAL INFILE ${mysql.escape(token)} INTO TABLE ${escapeId(target.table)} CHARACTER SET utf8mb4
      FIELDS TERMINATED BY ${mysql.escape(csv.delimiter)} OPTIONALLY ENCLOSED BY '"' ESCAPED BY ''
      LINES TERMINATED BY ${mysql.escape(csv.newline)} IGNORE 1 LINES (${csv.columns.map((column) => escapeId(column.name)).join(', ')})`
    const socket = socketOf(this.raw)
    let sent = 0
    const source = createReadStream(csv.file, { highWaterMark: 1 << 20 })
    // mysql2 writes each chunk to the socket at once; pause the file while the socket is backed up.
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        sent += chunk.length
        csv.onBytes(sent)
        const go = () => ((socket?.writableLength ?? 0) > HIGH_WATER ? setTimeout(go, 2) : callback(null, chunk))
        go()
      },
    })
    source.pipe(tap)
    source.on('error', (error) => tap.destroy(error))
    // End the data early (the statement completes, then the transaction is rolled back): destroying a
    // stream mysql2 has not picked up yet would leave the statement waiting for data forever.
    const onAbort = () => (source.unpipe(tap), source.destroy(), tap.end())
    csv.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const result = await this.load(sql, token, tap)
      if (csv.signal?.aborted) throw cancelled()
      // LOAD DATA counts records, and quoted line breaks make records span lines: find the line by parsing
      // the file, which only a failing load pays for.
      await this.checkWarnings(result, target.table, (row) => lineOfRecord(csv.file, csv, row, csv.signal))
      return { rows: result.affectedRows, method: 'load-data-passthrough' }
    } finally {
      csv.signal?.removeEventListener('abort', onAbort)
      source.destroy()
    }
  }
}

const DATE_TYPES = new Set(['DATE', 'DATETIME', 'TIMESTAMP', 'NEWDATE', 'TIME'])

/** Streams the rows of a query in batches (mysql2 row stream, paused while the output catches up). */
export async function exportMysqlRows(
  adapter: Adapter,
  sql: string,
  onBatch: (rows: Record<string, unknown>[]) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  await adapter.withSession(async (session) => {
    const raw = rawConnection(session)
    const connection = (
      raw as unknown as { connection: { query(options: object): { stream(options?: object): Readable } } }
    ).connection
    const stream = connection
      .query({
        sql,
        // Dates as the server prints them: no time zone conversion on the way to the file.
        typeCast: (field: { type: string; string(): string | null }, next: () => unknown) =>
          DATE_TYPES.has(field.type) ? field.string() : next(),
      })
      .stream({ highWaterMark: 2000 })
    await new Promise<void>((resolve, reject) => {
      let batch: Record<string, unknown>[] = []
      let busy = Promise.resolve()
      const flush = () => {
        const rows = batch
        batch = []
        stream.pause()
        busy = busy
          .then(() => onBatch(rows))
          .then(
            () => void stream.resume(),
            (error) => (stream.destroy(error), reject(error)),
          )
      }
      const onAbort = () => stream.destroy(cancelled())
      signal?.addEventListener('abort', onAbort, { once: true })
      stream.on('data', (row: Record<string, unknown>) => {
        batch.push(row)
        if (batch.length >= 2000) flush()
      })
      stream.on('error', (error) =>
        reject(error instanceof Migr8Error ? error : adapter.translateError(error, 'reading rows for the seed file')),
      )
      stream.on('end', () => {
        if (batch.length > 0) flush()
        busy.then(() => (signal?.removeEventListener('abort', onAbort), resolve()), reject)
      })
    })
  })
}

/**
 * MariaDB stores JSON columns as longtext with a json_valid() check; report them as json so an empty
 * field becomes NULL (not an empty string the check refuses) and values are checked as JSON.
 */
export async function refineMysqlColumns(
  adapter: Adapter,
  table: string,
  columns: ColumnInfo[],
): Promise<ColumnInfo[]> {
  if (!columns.some((column) => column.type === 'longtext')) return columns
  let checks: Array<{ clause: string }>
  try {
    checks = await adapter.query<{ clause: string }>(
      `SELECT CHECK_CLAUSE AS clause FROM information_schema.CHECK_CONSTRAINTS
        WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CHECK_CLAUSE LIKE 'json_valid(%'`,
      [table],
    )
  } catch {
    return columns // MySQL before 8.0.16 has no CHECK_CONSTRAINTS (and has a real json type)
  }
  const json = new Set(checks.map((check) => /json_valid\(`?([^`)]+)`?\)/i.exec(check.clause)?.[1]).filter(Boolean))
  return columns.map((column) =>
    column.type === 'longtext' && json.has(column.name) ? { ...column, type: 'json' } : column,
  )
}

/** The line a 0-based data record starts on, parsing the file up to it. */
async function lineOfRecord(
  file: string,
  format: CsvFormat,
  index: number,
  signal?: AbortSignal,
): Promise<number | undefined> {
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  signal?.addEventListener('abort', onAbort, { once: true })
  let seen = 0
  let line: number | undefined
  try {
    await streamCsv(
      file,
      format,
      {
        header: () => undefined,
        batch: (_rows, lines) => {
          if (line === undefined && index < seen + lines.length) {
            line = lines[index - seen]
            stop.abort()
          }
          seen += lines.length
        },
      },
      stop.signal,
    )
  } catch (error) {
    if (line === undefined) throw error
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
  return line
}
