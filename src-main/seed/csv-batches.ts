import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { Migr8Error, cancelled, type ErrorPayload } from '../../src-shared/errors.js'
import type { ColumnInfo, Dialect } from '../db/adapter.js'
import { decodeValues, encodeValues, transferables, type EncodedValues } from './batch-encoding.js'
import { MAX_CSV_COLUMNS, streamCsv, type CsvFormat } from './csv.js'
import { textFormatRow } from './loader.js'
import { RowError, rowConverterInto } from './mapping.js'
import { NotBinaryEncodable, pgBinaryEncoder } from './pg-binary.js'
import type { BadRow } from './types.js'

/** Everything needed to parse and convert a CSV file's rows; plain data, so it can cross to a worker. */
export interface CsvParseJob {
  file: string
  /** Shown in errors (the seed's name). */
  name: string
  format: CsvFormat
  targets: ColumnInfo[]
  dialect: Dialect
  nullValues: string[]
  /** Check and convert every value for its column. */
  convert: boolean
  /** Stop at the first bad row (a real load); false in a dry run, which lists them all. */
  stopAtFirstBad: boolean
  /** Serialise rows into this bulk text format (COPY text / LOAD DATA) instead of returning values. */
  text?: 'postgres' | 'mysql'
  /**
   * Encode rows in PostgreSQL's binary COPY format (pg-binary.ts) instead of returning values. A value
   * without a binary form ends the parse with a batch carrying `notBinary`.
   */
  binary?: boolean
}

export interface ParsedBatch {
  /**
   * Converted values, row after row, `targets.length` per row (when the job has no `text`): one flat
   * array, because copying it to another thread costs a fraction of an array per row.
   */
  values?: unknown[]
  /** The rows in the job's text format, one line each (when it has). */
  text?: string
  /** The rows in binary COPY format (when the job asks for it). */
  binary?: Uint8Array
  /** The value that has no binary form: the parse stopped there, and the file must take another path. */
  notBinary?: { column: string; value: string }
  /** File line of each row kept. */
  lines: ArrayLike<number>
  /** Rows refused, in file order (a real load stops at the first). */
  bad: BadRow[]
  /** Bytes of the file read so far. */
  bytes: number
}

export type BatchHandler = (batch: ParsedBatch) => void | Promise<void>

function tooWide(name: string, count: number): Migr8Error {
  return new Migr8Error(
    'SEED_INVALID',
    `${name} has ${count} columns; Migr8 accepts at most ${MAX_CSV_COLUMNS}.`,
    'Check the delimiter and the header row.',
  )
}

/** Parses and converts on the calling thread: papaparse in chunk mode, one batch per chunk. */
export async function parseCsvHere(job: CsvParseJob, onBatch: BatchHandler, signal?: AbortSignal): Promise<void> {
  const convert = rowConverterInto(job.targets, {
    dialect: job.dialect,
    nullValues: job.nullValues,
    convert: job.convert,
  })
  const width = job.targets.length
  const encoder = job.binary ? pgBinaryEncoder(job.targets) : undefined
  if (job.binary && !encoder) throw new Error(`${job.name}: no binary encoder for the table's column types`)
  let stopped = false
  await streamCsv(
    job.file,
    job.format,
    {
      header: (fields) => {
        if (fields.length > MAX_CSV_COLUMNS) throw tooWide(job.name, fields.length)
      },
      batch: (rows, lines, bytes) => {
        if (stopped) return
        // Rows kept, one after another: a refused row's values are overwritten by the next row's.
        const values = new Array<unknown>(rows.length * width)
        const kept: number[] = []
        const bad: BadRow[] = []
        for (let i = 0; i < rows.length; i++) {
          try {
            convert(rows[i], lines[i], values, kept.length * width)
            kept.push(lines[i])
          } catch (error) {
            if (!(error instanceof RowError)) throw error
            bad.push(error.bad)
            if (job.stopAtFirstBad) {
              stopped = true
              break
            }
          }
        }
        values.length = kept.length * width
        if (job.text) {
          let text = ''
          for (let row = 0; row < kept.length; row++)
            text += textFormatRow(values.slice(row * width, (row + 1) * width), job.text)
          return onBatch({ text, lines: kept, bad, bytes })
        }
        if (encoder) {
          let binary: Uint8Array
          try {
            binary = encoder.encode(values, kept.length)
          } catch (error) {
            if (!(error instanceof NotBinaryEncodable)) throw error
            stopped = true
            return onBatch({ notBinary: { column: error.column, value: String(error.value) }, lines: [], bad, bytes })
          }
          return onBatch({ binary, lines: kept, bad, bytes })
        }
        return onBatch({ values, lines: kept, bad, bytes })
      },
    },
    signal,
  )
}

/** A batch as the worker posts it: values encoded and line numbers in a typed array, both moved rather than copied. */
export interface PostedBatch extends Omit<ParsedBatch, 'values' | 'lines'> {
  values?: EncodedValues
  lines: Float64Array
}

/** The batch to post, and the buffers to list in postMessage's transfer list. */
export function toPosted({ values, lines, ...rest }: ParsedBatch): { batch: PostedBatch; transfer: ArrayBuffer[] } {
  const encoded = values && encodeValues(values)
  const batch = { ...rest, values: encoded, lines: Float64Array.from(lines) }
  // Typed as ArrayBufferLike, but arrays built with `from` always own a plain ArrayBuffer.
  // A binary batch owns its whole buffer (pg-binary.ts), so it is moved as well.
  const moved = [...(encoded ? transferables(encoded) : []), ...(rest.binary ? [rest.binary.buffer] : [])]
  return { batch, transfer: [...moved, batch.lines.buffer] as ArrayBuffer[] }
}

export function fromPosted({ values, ...rest }: PostedBatch): ParsedBatch {
  return { ...rest, values: values && decodeValues(values) }
}

/** Messages between the parser worker (src-main/seed/parse-worker.ts) and the thread that loads. */
export type WorkerMessage =
  { type: 'batch'; batch: PostedBatch } | { type: 'done' } | { type: 'error'; error: ErrorPayload }
export type HostMessage = { type: 'ack' }

/**
 * Batches the worker may send ahead of the loader: parsing of the next overlaps loading of this one.
 * 2, not 3: the same speed, and a 1.28 GB SQLite load peaked at 187–191 MB instead of 195–201 MB.
 */
export const BATCHES_IN_FLIGHT = 2

/**
 * The worker bundle: `MIGR8_SEED_PARSER` (a path, or `inline` for none), else `seed-parser.js` beside
 * this code (the CLI and app bundles have it). Absent when running from sources: parsing then stays
 * on the calling thread.
 */
export function csvParserWorker(): string | undefined {
  const configured = process.env.MIGR8_SEED_PARSER
  if (configured === 'inline') return undefined
  if (configured) return configured
  for (const relative of ['./seed-parser.js', '../seed-parser.js']) {
    const path = fileURLToPath(new URL(relative, import.meta.url))
    if (existsSync(path)) return path
  }
  return undefined
}

function parseInWorker(file: string, job: CsvParseJob, onBatch: BatchHandler, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // A small young generation: the parser's garbage is short-lived, and the default one (sized for
    // a whole process) added ~30 MB to the peak memory of a load. 8 MB, not 16: 16 made scavenges
    // cheaper (~5 % faster) but a 1.28 GB file into SQLite peaked at 215–220 MB instead of 187–188 MB,
    // over the 200 MB a load may take (docs/performance.md, "Seeds").
    const worker = new Worker(file, { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 8 } })
    let settled = false
    let heard = false
    // A worker that cannot even start (its bundle unreadable, e.g. from a packed archive) costs speed only.
    const parseHereInstead = () => {
      settled = true
      signal?.removeEventListener('abort', onAbort)
      void worker.terminate()
      parseCsvHere(job, onBatch, signal).then(resolve, reject)
    }
    // Batches are handled one at a time, in order, even when a handler waits (backpressure).
    let queue: Promise<void> = Promise.resolve()
    const finish = (error?: unknown) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      void worker.terminate()
      if (error) reject(error)
      else resolve()
    }
    const onAbort = () => finish(cancelled())
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted) return onAbort()
    worker.on('message', (message: WorkerMessage) => {
      heard = true
      if (settled) return
      if (message.type === 'batch') {
        queue = queue
          .then(async () => {
            if (settled) return
            await onBatch(fromPosted(message.batch))
            worker.postMessage({ type: 'ack' } satisfies HostMessage)
          })
          .catch(finish)
      } else if (message.type === 'done') {
        void queue.then(() => finish())
      } else {
        const { code, message: text, remedy, details } = message.error
        void queue.then(() => finish(new Migr8Error(code, text, remedy, details)))
      }
    })
    worker.on('error', (error) => (heard || settled ? finish(error) : parseHereInstead()))
    worker.on('exit', (code) => {
      if (!heard && !settled) parseHereInstead()
      else if (!settled)
        void queue.then(() =>
          finish(
            new Migr8Error(
              'INTERNAL',
              `The CSV parser stopped unexpectedly (exit code ${code}).`,
              'Run again; set MIGR8_SEED_PARSER=inline to parse on the main thread, and report this.',
            ),
          ),
        )
    })
  })
}

/**
 * Parses and converts a CSV file, batch by batch. When the rows are loaded on this thread (SQLite's
 * inserts: values, not bulk text), parsing runs in a worker thread if the bundle is there, so the two
 * overlap. Bulk text and binary COPY go to a database server, which already works in parallel with
 * this thread: there a worker only added copying, a third busy thread on two cores and its own heap
 * (binary COPY: 2.9 s and 133 MiB here, 3.3 s and 194 MiB through a worker; docs/performance.md,
 * "Seeds"), so parsing stays here.
 */
export function parseCsvBatches(job: CsvParseJob, onBatch: BatchHandler, signal?: AbortSignal): Promise<void> {
  const file = job.text === undefined && !job.binary ? csvParserWorker() : undefined
  return file ? parseInWorker(file, job, onBatch, signal) : parseCsvHere(job, onBatch, signal)
}
