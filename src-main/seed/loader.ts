import type { ColumnInfo } from '../db/adapter.js'
import type { LoadMethod } from './types.js'

/** What a loader writes: the table and the target columns, in the order values arrive in each row. */
export interface LoadTarget {
  table: string
  columns: ColumnInfo[]
}

/**
 * Receives batches of rows (arrays of values in `LoadTarget.columns` order). `write` returns a
 * promise only when the caller must wait (backpressure); `finish` flushes and returns the row count.
 */
export interface RowWriter {
  readonly method: LoadMethod
  write(rows: unknown[][], lines: ArrayLike<number>): void | Promise<void>
  /** Loaders fed the bulk text format (see `textFormatRow`) take rows already serialised in it. */
  readonly textFormat?: 'postgres' | 'mysql'
  writeText?(text: string, lines: ArrayLike<number>): void | Promise<void>
  /** Rows as one flat array, `columns.length` values per row (what the CSV parser hands over). */
  writeFlat?(values: unknown[], lines: ArrayLike<number>): void | Promise<void>
  finish(): Promise<number>
  /** Stops a load that failed or was cancelled (the transaction is rolled back by the caller). */
  abort(): Promise<void>
}

/** A CSV file whose header maps 1:1 onto table columns, for loaders that can send its bytes as they are. */
export interface CsvPassthrough {
  file: string
  bytes: number
  delimiter: string
  newline: string
  nullValues: string[]
  /** Target columns in the order of the file's header. */
  columns: ColumnInfo[]
  signal?: AbortSignal
  onBytes(bytes: number): void
}

/** Rows the engine encoded itself in the database's binary COPY format (PostgreSQL: pg-binary.ts). */
export interface BinaryRowWriter {
  readonly method: LoadMethod
  writeBinary(bytes: Uint8Array, lines: ArrayLike<number>): void | Promise<void>
  finish(): Promise<number>
  /** Stops a load that failed or was cancelled (the transaction is rolled back by the caller). */
  abort(): Promise<void>
  /** Undoes everything written, leaving the transaction as it was: a value turned out to have no binary form. */
  retract(): Promise<void>
}

export interface LoaderSession {
  /** Empties a table (and, like TRUNCATE … CASCADE, the tables referencing it); returns the tables emptied. */
  truncate(table: string): Promise<string[]>
  rows(target: LoadTarget): Promise<RowWriter>
  /** A binary COPY for these columns, or undefined when one of their types has no binary encoder. */
  binaryRows?(target: LoadTarget): Promise<BinaryRowWriter | undefined>
  /** Loads a CSV file without parsing it; resolves to the rows loaded, or undefined when it cannot. */
  csvPassthrough?(target: LoadTarget, csv: CsvPassthrough): Promise<{ rows: number; method: LoadMethod } | undefined>
}

/** One per dialect: a transaction on one connection in which a seed file is loaded. */
export interface SeedLoader {
  /**
   * Whether the database refuses a value that does not fit its column. SQLite does not (type
   * affinity stores 'abc' in an INTEGER column), so there every value is checked by the engine.
   */
  readonly checksValues: boolean
  transaction<T>(fn: (session: LoaderSession) => Promise<T>): Promise<T>
}

/**
 * File line of each row written, kept compactly: a row's line is its index plus an offset that
 * changes only after multi-line fields or blank lines. Used to turn "row N" of a database error back
 * into the line of the seed file.
 */
export class LineMap {
  private starts: number[] = []
  private offsets: number[] = []
  private count = 0

  add(lines: ArrayLike<number>): void {
    for (let i = 0; i < lines.length; i++) {
      const offset = lines[i] - this.count
      if (this.offsets.length === 0 || this.offsets[this.offsets.length - 1] !== offset) {
        this.starts.push(this.count)
        this.offsets.push(offset)
      }
      this.count++
    }
  }

  get rows(): number {
    return this.count
  }

  /** Line of the 0-based row `index`, or undefined when no such row was written. */
  lineOf(index: number): number | undefined {
    if (index < 0 || index >= this.count) return undefined
    let lo = 0
    let hi = this.starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.starts[mid] <= index) lo = mid
      else hi = mid - 1
    }
    return index + this.offsets[lo]
  }
}

/** A value as text for the bulk formats (COPY text, LOAD DATA): booleans and JSON spelled for `dialect`. */
export function valueText(value: unknown, dialect: 'postgres' | 'mysql'): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'bigint') return String(value)
  if (typeof value === 'boolean') return dialect === 'postgres' ? (value ? 't' : 'f') : value ? '1' : '0'
  if (value instanceof Date)
    return dialect === 'mysql' ? value.toISOString().replace('T', ' ').replace('Z', '') : value.toISOString()
  if (Buffer.isBuffer(value)) return dialect === 'postgres' ? `\\x${value.toString('hex')}` : value.toString('latin1')
  return JSON.stringify(value)
}

const TEXT_FORMAT_SPECIALS = /[\\\n\r\t]/
const TEXT_FORMAT_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * One row in the tab-separated text format both PostgreSQL COPY and MySQL LOAD DATA read by default:
 * backslash escapes, `\N` for NULL, one line per row (so "line N" in an error is row N).
 */
export function textFormatRow(row: unknown[], dialect: 'postgres' | 'mysql'): string {
  let out = ''
  for (let i = 0; i < row.length; i++) {
    if (i > 0) out += '\t'
    const value = row[i]
    if (value === null || value === undefined) {
      out += '\\N'
      continue
    }
    const text = valueText(value, dialect)
    out += TEXT_FORMAT_SPECIALS.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => TEXT_FORMAT_ESCAPES[c]) : text
  }
  return out + '\n'
}
