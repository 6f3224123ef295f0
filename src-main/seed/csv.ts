import { isAscii } from 'node:buffer'
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { Transform, type TransformCallback } from 'node:stream'
import Papa from 'papaparse'
import { Migr8Error, cancelled } from '../../src-shared/errors.js'

/** PostgreSQL allows 1,600 columns, SQLite 2,000 and MySQL 4,096: wider headers are refused outright. */
export const MAX_CSV_COLUMNS = 4096
const READ_CHUNK = 256 << 10
const DELIMITERS = [',', ';', '\t', '|']

export interface CsvFormat {
  delimiter: string
  /** Line break of the file: `\n`, `\r\n` or `\r`. */
  newline: string
}

/** Guesses the delimiter (unless configured) and line break from the start of a file. */
export function detectCsvFormat(sample: string, configured?: string): CsvFormat {
  const guess = Papa.parse<string[]>(sample, {
    preview: 20,
    delimiter: configured || '',
    delimitersToGuess: DELIMITERS,
    skipEmptyLines: true,
  })
  const newline = guess.meta.linebreak || '\n'
  const undetectable = guess.errors.some((error) => error.code === 'UndetectableDelimiter')
  return { delimiter: configured || (undetectable ? ',' : guess.meta.delimiter), newline }
}

/** Position of the first byte that is not part of valid UTF-8, or -1. Only used to report an error. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1
    if (need < 0) return i
    if (i + need >= bytes.length && need > 0) return -1 // cut at the end of a chunk
    for (let k = 1; k <= need; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i
    i += need + 1
  }
  return -1
}

export function notUtf8(file: string, offset: number): Migr8Error {
  return new Migr8Error(
    'SEED_INVALID',
    `${file} is not valid UTF-8 (first bad byte near offset ${offset}).`,
    'Save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv`) and run again.',
    { offset },
  )
}

/** Decodes UTF-8 strictly across chunk boundaries and drops a leading byte-order mark. */
/** Bytes at the end of `chunk` that start a UTF-8 sequence the chunk does not finish. */
export function incompleteTail(chunk: Buffer): number {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const byte = chunk[chunk.length - back]
    if ((byte & 0xc0) === 0x80) continue // continuation byte: keep looking for the lead
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
    return length > back ? back : 0
  }
  return 0
}

export class Utf8Decoder extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true })
  private offset = 0
  /** The decoder holds no bytes of an unfinished character (so a chunk may bypass it). */
  private clean = true

  constructor(private readonly file: string) {
    // At most a couple of decoded chunks wait for the parser: memory stays flat whatever the file size.
    super({ readableObjectMode: true, readableHighWaterMark: 2 })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      // Most seed files are ASCII: then the text is the bytes as they are (a copy; UTF-8 decoding and
      // checking took a tenth of a load's parsing). A BOM is not ASCII, so the decoder still strips it.
      const ascii = this.clean && isAscii(chunk)
      const text = ascii ? chunk.toString('latin1') : this.decoder.decode(chunk, { stream: true })
      // A chunk shorter than a character may only extend what the decoder holds.
      if (!ascii) this.clean = chunk.length >= 4 && incompleteTail(chunk) === 0
      this.offset += chunk.length
      if (text.length > 0) this.push(text)
      callback()
    } catch {
      const at = firstInvalidUtf8(chunk)
      callback(notUtf8(this.file, this.offset + Math.max(at, 0)))
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      const rest = this.decoder.decode()
      if (rest.length > 0) this.push(rest)
      callback()
    } catch {
      callback(notUtf8(this.file, this.offset))
    }
  }
}

export interface CsvHead {
  format: CsvFormat
  header: string[]
  rows: string[][]
  /** Line of each row (the header is line 1). */
  lines: number[]
  /** The whole file was read: `rowCount` is exact. */
  eof: boolean
  /** Data rows in the bytes read (all of them when `eof`). */
  rowCount: number
  /** Bytes taken by the header and by the `rowCount` rows, to estimate the total from the file size. */
  headerBytes: number
  rowBytes: number
  /** Parser complaints about the rows read, with their lines. */
  errors: Array<{ line: number; message: string }>
}

function newlinesIn(row: string[]): number {
  let count = 0
  for (const field of row) {
    let at = field.indexOf('\n')
    while (at !== -1) {
      count++
      at = field.indexOf('\n', at + 1)
    }
  }
  return count
}

const isBlankRow = (row: string[]) => row.length === 1 && row[0] === ''

/**
 * Reads the header and first `wanted` rows from the start of the file only: a bounded byte range,
 * grown until enough complete rows are in it, so a multi-GB file previews as fast as a small one.
 */
export async function readCsvHead(
  file: string,
  wanted: number,
  delimiter?: string,
  maxBytes = 64 << 20,
): Promise<CsvHead> {
  const handle = await open(file, 'r')
  try {
    let size = 256 << 10
    for (;;) {
      const buffer = Buffer.allocUnsafe(size)
      const { bytesRead } = await handle.read(buffer, 0, size, 0)
      const eof = bytesRead < size
      let text: string
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(buffer.subarray(0, bytesRead), { stream: !eof })
      } catch {
        throw notUtf8(file, Math.max(firstInvalidUtf8(buffer.subarray(0, bytesRead)), 0))
      }
      const format = detectCsvFormat(text.slice(0, 64 << 10), delimiter)
      const parsed = Papa.parse<string[]>(text, { delimiter: format.delimiter, newline: format.newline as '\n' })
      let rows = parsed.data
      // Without the end of the file the last row parsed may be cut short.
      if (!eof && rows.length > 0) rows = rows.slice(0, -1)
      const nonBlank = rows.filter((row) => !isBlankRow(row)).length
      if (nonBlank >= wanted + 1 || eof || size >= maxBytes) {
        const kept: string[][] = []
        const lines: number[] = []
        const rowLine: number[] = []
        let line = 1
        for (const row of rows) {
          rowLine.push(line)
          if (!isBlankRow(row)) {
            kept.push(row)
            lines.push(line)
          }
          line += 1 + newlinesIn(row)
        }
        const header = kept.shift() ?? []
        lines.shift()
        const headerBytes = Buffer.byteLength(
          text.slice(0, text.indexOf(format.newline) + format.newline.length || text.length),
        )
        const errors = parsed.errors
          .filter(
            (error) => error.row !== undefined && error.code !== 'UndetectableDelimiter' && error.row < rowLine.length,
          )
          .map((error) => ({ line: rowLine[error.row ?? 0], message: error.message }))
        return {
          format,
          header,
          rows: kept.slice(0, wanted),
          lines: lines.slice(0, wanted),
          eof,
          rowCount: kept.length,
          headerBytes,
          rowBytes: Math.max(bytesRead - headerBytes, 0),
          errors,
        }
      }
      size *= 4
    }
  } finally {
    await handle.close()
  }
}

export interface CsvStreamHandlers {
  /** The header row; throw to refuse the file. */
  header(fields: string[]): void
  /** A batch of rows with their lines; return a promise to hold the parser until it settles (backpressure). */
  batch(rows: string[][], lines: number[], bytesRead: number): void | Promise<void>
}

export interface CsvStreamResult {
  rows: number
  bytes: number
}

/**
 * Streams a CSV file through papaparse in `chunk` mode: one batch per chunk of the file (about 1 MB),
 * never the whole file in memory. When `batch` returns a promise the parser and the file stream are
 * paused until it settles.
 */
export function streamCsv(
  file: string,
  format: CsvFormat,
  handlers: CsvStreamHandlers,
  signal?: AbortSignal,
): Promise<CsvStreamResult> {
  return new Promise((resolve, reject) => {
    const source = createReadStream(file, { highWaterMark: READ_CHUNK })
    const decoded = new Utf8Decoder(file)
    source.on('error', (error) => decoded.destroy(error))
    source.pipe(decoded)
    let settled = false
    let parserHandle: Papa.Parser | undefined
    let line = 1
    let rows = 0
    let sawHeader = false
    let waiting = false
    let completeWhenResumed = false
    const finish = (error?: unknown) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      if (error) {
        parserHandle?.abort()
        source.destroy()
        decoded.destroy()
        reject(error)
      } else {
        resolve({ rows, bytes: source.bytesRead })
      }
    }
    const onAbort = () => finish(cancelled())
    signal?.addEventListener('abort', onAbort, { once: true })
    if (signal?.aborted) return finish(cancelled())

    Papa.parse<string[]>(decoded as unknown as File, {
      delimiter: format.delimiter,
      newline: format.newline as '\n',
      quoteChar: '"',
      skipEmptyLines: false,
      chunk(results, parser) {
        if (settled) return
        parserHandle = parser
        try {
          const errorRows = new Map<number, string>()
          for (const error of results.errors)
            if (error.row !== undefined && error.code !== 'UndetectableDelimiter')
              errorRows.set(error.row, error.message)
          const data = results.data
          const batch: string[][] = []
          const lines: number[] = []
          for (let index = 0; index < data.length; index++) {
            const row = data[index]
            const at = line
            line += 1 + newlinesIn(row)
            if (errorRows.has(index)) {
              throw new Migr8Error(
                'SEED_INVALID',
                `${file}, line ${at}: ${errorRows.get(index)}.`,
                'Fix the quoting of that line: a field with a quote, delimiter or line break must be enclosed in double quotes, with inner quotes doubled.',
                { line: at },
              )
            }
            if (row.length === 1 && row[0] === '') continue
            if (!sawHeader) {
              sawHeader = true
              handlers.header(row)
              continue
            }
            batch.push(row)
            lines.push(at)
          }
          if (!sawHeader) return
          rows += batch.length
          const pending = batch.length > 0 ? handlers.batch(batch, lines, source.bytesRead) : undefined
          if (pending) {
            waiting = true
            parser.pause()
            source.pause()
            pending.then(
              () => {
                waiting = false
                if (settled) return
                source.resume()
                parser.resume()
                if (completeWhenResumed) finish()
              },
              (error) => finish(error),
            )
          }
        } catch (error) {
          finish(error)
        }
      },
      complete() {
        if (!sawHeader && !settled) {
          return finish(
            new Migr8Error(
              'SEED_INVALID',
              `${file} is empty: a CSV seed needs a header row.`,
              'Add a header row naming the table columns.',
            ),
          )
        }
        if (waiting) completeWhenResumed = true
        else finish()
      },
      error(error: Error) {
        finish(
          error instanceof Migr8Error
            ? error
            : new Migr8Error(
                'SEED_INVALID',
                `Cannot read ${file}: ${error.message}.`,
                'Check the file is readable.',
                undefined,
                error,
              ),
        )
      },
    })
  })
}
