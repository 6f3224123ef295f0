import { createReadStream } from 'node:fs'
import { Transform } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { Migr8Error, cancelled } from '../../src-shared/errors.js'
import type { Adapter, Session } from '../db/adapter.js'
import { classifyTarget, emptyMeansNull } from './infer.js'
import {
  LineMap,
  textFormatRow,
  type BinaryRowWriter,
  type CsvPassthrough,
  type LoadTarget,
  type LoaderSession,
  type RowWriter,
  type SeedLoader,
} from './loader.js'
import { notUtf8 } from './csv.js'
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER, binaryEncodable } from './pg-binary.js'
import { ByteScanner } from './scan.js'

/** Where a byte pass-through that turns out not to fit is rolled back to. */
const PASSTHROUGH_SAVEPOINT = 'migr8_seed_passthrough'
/** Where a binary COPY that meets a value without a binary form is rolled back to. */
const BINARY_SAVEPOINT = 'migr8_seed_binary'

/** Bytes of COPY data buffered before `write` asks the caller to wait. */
const HIGH_WATER = 4 << 20

function rawClient(session: Session): pg.PoolClient {
  const raw = (session as unknown as { raw?: pg.PoolClient }).raw
  if (!raw)
    throw new Migr8Error(
      'INTERNAL',
      'The PostgreSQL session has no driver client.',
      'Report this: the seed engine needs PostgresSession.raw.',
    )
  return raw
}

/** `COPY t, line 3, column total: "abc"` → line 3, column total, value abc (binary COPY names no value). */
export function copyErrorPosition(error: unknown): { line?: number; column?: string; value?: string } {
  const where = (error as { where?: string }).where ?? ''
  const match = /COPY [^,]+, line (\d+)(?:, column ([^:\n]+)(?:: "(.*)")?)?/s.exec(where)
  if (!match) return {}
  return { line: Number(match[1]), column: match[2], value: match[3] }
}

/** PostgreSQL: COPY … FROM STDIN on the transaction's own connection (pg-copy-streams). */
export class PostgresLoader implements SeedLoader {
  readonly checksValues = true
  constructor(private readonly adapter: Adapter) {}

  transaction<T>(fn: (session: LoaderSession) => Promise<T>): Promise<T> {
    return this.adapter.withTransaction((session) =>
      fn(new PostgresLoaderSession(this.adapter, session, rawClient(session))),
    )
  }
}

class PostgresLoaderSession implements LoaderSession {
  constructor(
    private readonly adapter: Adapter,
    private readonly session: Session,
    private readonly client: pg.PoolClient,
  ) {}

  async truncate(table: string): Promise<string[]> {
    const cascaded: string[] = []
    const onNotice = (notice: { message?: string }) => {
      const match = /truncate cascades to table "(.+)"/.exec(notice.message ?? '')
      if (match) cascaded.push(match[1])
    }
    this.client.on('notice', onNotice)
    try {
      await this.session.execute(`TRUNCATE TABLE ${this.adapter.qualifiedTable(table)} RESTART IDENTITY CASCADE`)
    } finally {
      this.client.off('notice', onNotice)
    }
    return [table, ...cascaded]
  }

  private columnList(target: LoadTarget): string {
    return target.columns.map((column) => this.adapter.quoteIdent(column.name)).join(', ')
  }

  private translate(error: unknown, target: LoadTarget, lineOf: (copyLine: number) => number | undefined): Migr8Error {
    if (error instanceof Migr8Error) return error
    const position = copyErrorPosition(error)
    const line = position.line !== undefined ? lineOf(position.line) : undefined
    const typed = this.adapter.translateError(error, `loading ${target.table}`)
    if (line === undefined) return typed
    const value = position.value !== undefined ? ` (value ${JSON.stringify(position.value)})` : ''
    const column = position.column ? `, column ${position.column}` : ''
    return new Migr8Error(
      'SEED_FAILED',
      `line ${line}${column}: ${(error as Error).message}${value}.`,
      typed.remedy,
      { ...typed.details, line, column: position.column, value: position.value },
      error,
    )
  }

  /** A COPY … FROM STDIN fed chunk by chunk, waiting while the connection is backed up. */
  private copyIn(sql: string, target: LoadTarget) {
    const stream = this.client.query(copyFrom(sql))
    const lines = new LineMap()
    let failure: unknown
    stream.on('error', (error) => (failure ??= error))
    const translate = (error: unknown) => this.translate(error, target, (copyLine) => lines.lineOf(copyLine - 1))
    return {
      write(chunk: string | Uint8Array, rowLines: ArrayLike<number>): void | Promise<void> {
        if (failure) throw translate(failure)
        lines.add(rowLines)
        stream.write(chunk)
        if (stream.writableLength < HIGH_WATER) return
        return new Promise<void>((resolve, reject) => {
          const done = () => (
            stream.off('drain', done),
            stream.off('error', done),
            failure ? reject(translate(failure)) : resolve()
          )
          stream.on('drain', done)
          stream.on('error', done)
        })
      },
      async finish(): Promise<number> {
        if (failure) throw translate(failure)
        stream.end()
        try {
          await finished(stream)
        } catch (error) {
          throw translate(error)
        }
        return stream.rowCount
      },
      async abort(): Promise<void> {
        if (!stream.destroyed) stream.destroy(new Error('seed load stopped'))
        await finished(stream).catch(() => undefined)
      },
    }
  }

  async rows(target: LoadTarget): Promise<RowWriter> {
    const copy = this.copyIn(
      `COPY ${this.adapter.qualifiedTable(target.table)} (${this.columnList(target)}) FROM STDIN`,
      target,
    )
    return {
      method: 'copy',
      textFormat: 'postgres',
      writeText: copy.write,
      write(rows, rowLines) {
        let chunk = ''
        for (const row of rows) chunk += textFormatRow(row, 'postgres')
        return copy.write(chunk, rowLines)
      },
      finish: copy.finish,
      abort: copy.abort,
    }
  }

  /**
   * COPY … (FORMAT binary) inside a savepoint: the server skips parsing each value's text (see
   * pg-binary.ts). A value without a binary form found part-way rolls the attempt back to the
   * savepoint (`retract`), and the file is loaded by another path.
   */
  async binaryRows(target: LoadTarget): Promise<BinaryRowWriter | undefined> {
    if (!binaryEncodable(target.columns)) return undefined
    await this.client.query(`SAVEPOINT ${BINARY_SAVEPOINT}`)
    const copy = this.copyIn(
      `COPY ${this.adapter.qualifiedTable(target.table)} (${this.columnList(target)}) FROM STDIN (FORMAT binary)`,
      target,
    )
    await copy.write(COPY_BINARY_HEADER, [])
    return {
      method: 'copy-binary',
      writeBinary: copy.write,
      finish: async () => {
        await copy.write(COPY_BINARY_TRAILER, [])
        const rows = await copy.finish()
        await this.client.query(`RELEASE SAVEPOINT ${BINARY_SAVEPOINT}`)
        return rows
      },
      abort: copy.abort,
      retract: async () => {
        await copy.abort()
        await this.client.query(`ROLLBACK TO SAVEPOINT ${BINARY_SAVEPOINT}`)
      },
    }
  }

  /**
   * Streams the file's bytes straight into COPY … (FORMAT csv, HEADER). Only when PostgreSQL reads the
   * file exactly as the engine would: the only NULL marker present is the empty field (FORCE_NULL /
   * FORCE_NOT_NULL give empty fields the engine's meaning per column), no `\.` (COPY's end-of-data
   * line) appears anywhere, the bytes are UTF-8 and quotes pair up. Each chunk is checked before it is
   * sent, so checking costs no extra pass over the file: when one fails, the COPY is abandoned and
   * rolled back to a savepoint, and the parsing path loads (or reports) the file instead.
   */
  async csvPassthrough(
    target: LoadTarget,
    csv: CsvPassthrough,
  ): Promise<{ rows: number; method: 'copy-passthrough' } | undefined> {
    const markers = csv.nullValues.filter((value) => value !== '')
    const scanner = new ByteScanner([...markers, '\\.'])
    const emptyIsNullEverywhere = csv.nullValues.includes('')
    const forceNull = csv.columns.filter((column) => emptyMeansNull(classifyTarget(column.type)))
    const forceNotNull = emptyIsNullEverywhere
      ? []
      : csv.columns.filter((column) => !emptyMeansNull(classifyTarget(column.type)))
    const quote = (name: string) => this.adapter.quoteIdent(name)
    const literal = (text: string) => `'${text.replace(/'/g, "''")}'`
    const options = [
      'FORMAT csv',
      'HEADER true',
      `DELIMITER ${literal(csv.delimiter)}`,
      "NULL ''",
      "ENCODING 'UTF8'",
      ...(forceNull.length > 0 ? [`FORCE_NULL (${forceNull.map((c) => quote(c.name)).join(', ')})`] : []),
      ...(forceNotNull.length > 0 ? [`FORCE_NOT_NULL (${forceNotNull.map((c) => quote(c.name)).join(', ')})`] : []),
    ]
    const sql = `COPY ${this.adapter.qualifiedTable(target.table)} (${csv.columns.map((c) => quote(c.name)).join(', ')}) FROM STDIN WITH (${options.join(', ')})`
    await this.client.query(`SAVEPOINT ${PASSTHROUGH_SAVEPOINT}`)
    const stream = this.client.query(copyFrom(sql))
    let sent = 0
    let refused = false
    const tap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if (!scanner.push(chunk)) {
          refused = true
          return callback(new Error('the file cannot be sent as it is'))
        }
        sent += chunk.length
        csv.onBytes(sent)
        callback(null, chunk)
      },
      flush(callback) {
        const verdict = scanner.end()
        // An unclosed quote: the parsing path reports its line instead of loading the rest of the file as one value.
        refused = verdict.invalidUtf8At !== undefined || verdict.oddQuotes
        callback(refused ? new Error('the file cannot be sent as it is') : null)
      },
    })
    try {
      await pipeline(createReadStream(csv.file, { highWaterMark: 1 << 20 }), tap, stream, { signal: csv.signal })
    } catch (error) {
      if (csv.signal?.aborted) throw cancelled()
      if (!refused) {
        // COPY counts the header as line 1, as the file does.
        throw this.translate(error, target, (line) => line)
      }
      await this.client.query(`ROLLBACK TO SAVEPOINT ${PASSTHROUGH_SAVEPOINT}`)
      if (scanner.invalidUtf8At !== undefined) throw notUtf8(csv.file, scanner.invalidUtf8At)
      return undefined
    }
    await this.client.query(`RELEASE SAVEPOINT ${PASSTHROUGH_SAVEPOINT}`)
    return { rows: stream.rowCount, method: 'copy-passthrough' }
  }
}

/** Type parsers for exported rows: JSON-friendly scalars typed, everything else as PostgreSQL prints it. */
const TYPED_OIDS = new Set([16, 21, 23, 700, 701, 114, 3802])

/** Streams the rows of a query in batches through a server-side cursor (rows never all in memory). */
export async function exportPostgresRows(
  adapter: Adapter,
  sql: string,
  onBatch: (rows: Record<string, unknown>[]) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  const pgTypes = (await import('pg')).default.types
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      TYPED_OIDS.has(oid) ? pgTypes.getTypeParser(oid, format ?? 'text') : (value: string) => value,
  }
  await adapter.withTransaction(async (session) => {
    const client = rawClient(session)
    try {
      await client.query(`DECLARE migr8_seed_export NO SCROLL CURSOR FOR ${sql}`)
      for (;;) {
        if (signal?.aborted) throw cancelled()
        const result = await client.query({
          text: 'FETCH 2000 FROM migr8_seed_export',
          types: types as unknown as pg.CustomTypesConfig,
        })
        if (result.rows.length === 0) break
        await onBatch(result.rows)
      }
    } catch (error) {
      throw adapter.translateError(error, 'reading rows for the seed file')
    }
  })
}
