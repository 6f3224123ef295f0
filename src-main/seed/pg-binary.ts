import type { ColumnInfo } from '../db/adapter.js'

/**
 * Rows in PostgreSQL's binary COPY format. The server then skips its per-value text parsing
 * (int8in, numeric_in, date_in, timestamp_in, uuid_in…), which is most of a CSV COPY's cost: the
 * same 1M-row table loads ~35 % faster from binary than from CSV (docs/performance.md, "Seeds").
 *
 * Only values whose text has one meaning are encoded: plain decimal numbers, `YYYY-MM-DD` dates,
 * `YYYY-MM-DD hh:mm[:ss[.ffffff]]` timestamps, canonical UUIDs, the usual boolean words. Anything
 * else (an exponent, a time zone, `infinity`, a BC date, whitespace…) throws NotBinaryEncodable, and
 * the caller loads the file through the text path instead, where PostgreSQL itself reads the value.
 * Type modifiers (numeric precision and scale, varchar length, timestamp precision) are applied by
 * the server's receive functions exactly as by its input functions.
 */
export class NotBinaryEncodable extends Error {
  constructor(
    readonly column: string,
    readonly value: unknown,
  ) {
    super(`${column}: ${String(value)} has no binary encoding Migr8 can vouch for`)
  }
}

type Encode = (out: BinaryWriter, value: unknown, column: string) => void

/** What a binary COPY stream starts with: signature, flags, header extension length. */
export const COPY_BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)])
/** The end-of-data marker: a tuple of -1 fields. */
export const COPY_BINARY_TRAILER = Buffer.from([0xff, 0xff])
/** Microseconds per day, and days from 1970-01-01 to PostgreSQL's epoch 2000-01-01. */
const USECS_PER_DAY = 86_400_000_000
const EPOCH_DAYS = 10_957

/** A growing buffer written front to back, bytes set directly (Buffer's write methods check every call). */
class BinaryWriter {
  buffer = Buffer.allocUnsafe(1 << 16)
  at = 0

  reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < this.at + bytes) size *= 2
    const bigger = Buffer.allocUnsafe(size)
    this.buffer.copy(bigger, 0, 0, this.at)
    this.buffer = bigger
  }

  int16(value: number): void {
    this.reserve(2)
    writeInt16(this.buffer, this.at, value)
    this.at += 2
  }

  int32(value: number): void {
    this.reserve(4)
    writeInt32(this.buffer, this.at, value)
    this.at += 4
  }

  /** Writes a field's length and makes room for its bytes; returns where they go (in `this.buffer`). */
  field(bytes: number): number {
    this.reserve(4 + bytes)
    writeInt32(this.buffer, this.at, bytes)
    const at = this.at + 4
    this.at = at + bytes
    return at
  }

  text(value: string): void {
    this.reserve(4 + value.length * 3)
    const bytes = this.buffer.write(value, this.at + 4)
    writeInt32(this.buffer, this.at, bytes)
    this.at += 4 + bytes
  }

  /** The bytes written, in a buffer of their own (so it can be moved to another thread), and a fresh start. */
  take(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.at)
    this.buffer.copy(out, 0, 0, this.at)
    this.at = 0
    return out
  }
}

function writeInt16(buffer: Buffer, at: number, value: number): void {
  buffer[at] = value >> 8
  buffer[at + 1] = value
}

function writeInt32(buffer: Buffer, at: number, value: number): void {
  buffer[at] = value >>> 24
  buffer[at + 1] = value >>> 16
  buffer[at + 2] = value >>> 8
  buffer[at + 3] = value
}

/** An int64 given as a safe integer (|value| < 2^53). */
function writeSafeInt64(buffer: Buffer, at: number, value: number): void {
  const high = Math.floor(value / 2 ** 32)
  writeInt32(buffer, at, high)
  writeInt32(buffer, at + 4, value - high * 2 ** 32)
}

/** The number written by the ASCII digits s[from..to), or NaN if any is not a digit. */
function digits(s: string, from: number, to: number): number {
  let n = 0
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48
    if (d < 0 || d > 9) return NaN
    n = n * 10 + d
  }
  return n
}

const INTEGER = /^[+-]?\d{1,19}$/
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?$/
const MIN_NORMAL = 2.2250738585072014e-308
const BOOLEANS = new Map<string, boolean>([
  ['t', true],
  ['true', true],
  ['y', true],
  ['yes', true],
  ['on', true],
  ['1', true],
  ['f', false],
  ['false', false],
  ['n', false],
  ['no', false],
  ['off', false],
  ['0', false],
])
/** Value of each hex digit by character code, -1 for other characters. */
const HEX = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = HEX['0123456789ABCDEF'.charCodeAt(i)] = i

function refuse(column: string, value: unknown): never {
  throw new NotBinaryEncodable(column, value)
}

function integer(bytes: 2 | 4 | 8, min: bigint, max: bigint): Encode {
  const low = Number(min)
  const high = Number(max)
  return (out, value, column) => {
    // Digits only, with an optional sign: `Number` alone would also read ' 1', '0x1' and ''.
    const n = typeof value === 'number' ? value : typeof value === 'string' && INTEGER.test(value) ? Number(value) : NaN
    if (!Number.isInteger(n)) return refuse(column, value)
    if (!Number.isSafeInteger(n)) {
      // Beyond 2^53 only int8 is left, read exactly; out of range, the server words the error.
      const big = typeof value === 'string' ? BigInt(value) : BigInt(n)
      if (bytes !== 8 || big < min || big > max) return refuse(column, value)
      out.buffer.writeBigInt64BE(big, out.field(8))
      return
    }
    if (n < low || n > high) return refuse(column, value)
    const at = out.field(bytes)
    if (bytes === 2) writeInt16(out.buffer, at, n)
    else if (bytes === 4) writeInt32(out.buffer, at, n)
    else writeSafeInt64(out.buffer, at, n)
  }
}

/** Base-10000 digits of the numeric being encoded (reused: one numeric at a time). */
const groups = new Int16Array(600)

/** numeric: digit count, weight, sign, display scale, then base-10000 digits (PostgreSQL's NumericVar). */
const numeric: Encode = (out, value, column) => {
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value
  if (typeof text !== 'string') return refuse(column, value)
  let i = 0
  const first = text.charCodeAt(0)
  const negative = first === 45 // -
  if (negative || first === 43) i++ // +
  let wholeStart = i
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++
  const wholeEnd = i
  let fractionStart = i
  if (i < text.length && text.charCodeAt(i) === 46) {
    fractionStart = ++i
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++
  }
  const fractionEnd = i
  // Anything else (an exponent, NaN, spaces) or no digit at all: the server's own reading.
  if (i !== text.length || (wholeEnd === wholeStart && fractionEnd === fractionStart)) return refuse(column, value)
  while (wholeStart < wholeEnd && text.charCodeAt(wholeStart) === 48) wholeStart++
  const wholeDigits = wholeEnd - wholeStart
  const scale = fractionEnd - fractionStart
  // Far beyond any seed file's numbers: left to the server.
  if (wholeDigits > 1000 || scale > 1000) return refuse(column, value)
  // Groups of four digits aligned on the decimal point; the first whole group may be shorter.
  const wholeGroups = Math.ceil(wholeDigits / 4)
  let count = 0
  let end = wholeStart + wholeDigits - (wholeGroups - 1) * 4
  for (let start = wholeStart; start < wholeEnd; start = end, end += 4) groups[count++] = digits(text, start, end)
  for (let start = fractionStart; start < fractionEnd; start += 4) {
    const stop = Math.min(start + 4, fractionEnd)
    groups[count++] = digits(text, start, stop) * 10 ** (4 - (stop - start))
  }
  let weight = wholeGroups - 1
  let from = 0
  while (from < count && groups[from] === 0) {
    from++
    weight--
  }
  while (count > from && groups[count - 1] === 0) count--
  const kept = count - from
  const at = out.field(8 + kept * 2)
  const buffer = out.buffer
  writeInt16(buffer, at, kept)
  writeInt16(buffer, at + 2, kept === 0 ? 0 : weight)
  writeInt16(buffer, at + 4, negative && kept > 0 ? 0x4000 : 0)
  writeInt16(buffer, at + 6, scale)
  for (let g = 0; g < kept; g++) writeInt16(buffer, at + 8 + g * 2, groups[from + g])
}

/**
 * float8: JavaScript's and PostgreSQL's (strtod) readings of a decimal are both correctly rounded.
 * Out of range either way (PostgreSQL refuses what JavaScript makes 0 or Infinity): the text path.
 */
const float8: Encode = (out, value, column) => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && FLOAT.test(value) ? Number(value) : NaN
  if (!Number.isFinite(n) || (n !== 0 && Math.abs(n) < MIN_NORMAL)) return refuse(column, value)
  if (n === 0 && typeof value === 'string' && /[1-9]/.test(value.replace(/[eE].*$/, ''))) return refuse(column, value)
  out.buffer.writeDoubleBE(n, out.field(8))
}

const boolean: Encode = (out, value, column) => {
  const truth =
    typeof value === 'boolean' ? value : typeof value === 'string' ? BOOLEANS.get(value.toLowerCase()) : undefined
  if (truth === undefined) return refuse(column, value)
  out.buffer[out.field(1)] = truth ? 1 : 0
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), or NaN. */
function civilDays(year: number, month: number, day: number): number {
  if (!(year >= 1 && month >= 1 && month <= 12 && day >= 1)) return NaN
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  if (day > (month === 2 ? (leap ? 29 : 28) : MONTH_DAYS[month - 1])) return NaN
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

/** Days since 1970-01-01 of `YYYY-MM-DD` at the start of `s`, or NaN. */
function dateAt(s: string): number {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN
  return civilDays(digits(s, 0, 4), digits(s, 5, 7), digits(s, 8, 10))
}

const date: Encode = (out, value, column) => {
  const days = typeof value === 'string' && value.length === 10 ? dateAt(value) : NaN
  if (Number.isNaN(days)) return refuse(column, value)
  writeInt32(out.buffer, out.field(4), days - EPOCH_DAYS)
}

/** Microseconds into the day of `hh:mm[:ss[.ffffff]]` from offset 11 of `s`, or NaN. */
function timeOfDay(s: string): number {
  const length = s.length
  if (s.charCodeAt(13) !== 58 || (length !== 16 && (length < 19 || s.charCodeAt(16) !== 58))) return NaN
  if (length > 19 && (length > 26 || length === 20 || s.charCodeAt(19) !== 46)) return NaN
  const hours = digits(s, 11, 13)
  const minutes = digits(s, 14, 16)
  const seconds = length >= 19 ? digits(s, 17, 19) : 0
  const micros = length > 20 ? digits(s, 20, length) * 10 ** (26 - length) : 0
  if (!(hours <= 23 && minutes <= 59 && seconds <= 59 && micros >= 0)) return NaN
  return ((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + micros
}

/** timestamp without time zone: microseconds since 2000-01-01 00:00:00, as int64. */
const timestamp: Encode = (out, value, column) => {
  if (typeof value !== 'string' || value.length < 16) return refuse(column, value)
  const separator = value.charCodeAt(10)
  const days = separator === 32 || separator === 84 ? dateAt(value) : NaN // ' ' or 'T'
  const time = timeOfDay(value)
  if (Number.isNaN(days) || Number.isNaN(time)) return refuse(column, value)
  const micros = (days - EPOCH_DAYS) * USECS_PER_DAY + time
  const at = out.field(8)
  // Exact in a double for years 1715–2285; beyond, BigInt.
  if (Number.isSafeInteger(micros)) writeSafeInt64(out.buffer, at, micros)
  else out.buffer.writeBigInt64BE(BigInt(days - EPOCH_DAYS) * BigInt(USECS_PER_DAY) + BigInt(time), at)
}

/** The canonical form only: 8-4-4-4-12 hex digits. */
const uuid: Encode = (out, value, column) => {
  if (typeof value !== 'string' || value.length !== 36) return refuse(column, value)
  const at = out.field(16)
  const buffer = out.buffer
  let byte = 0
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (value.charCodeAt(i) !== 45) break
      i--
      continue
    }
    const high = HEX[value.charCodeAt(i)] ?? -1
    const low = HEX[value.charCodeAt(i + 1)] ?? -1
    if (high < 0 || low < 0) break
    buffer[at + byte++] = (high << 4) | low
  }
  if (byte !== 16) refuse(column, value)
}

const text: Encode = (out, value, column) => {
  if (typeof value === 'string') out.text(value)
  else if (typeof value === 'number' || typeof value === 'boolean') out.text(String(value))
  else refuse(column, value)
}

/** jsonb's binary form is a version byte, then the JSON text (which the server parses and checks). */
const jsonb: Encode = (out, value, column) => {
  if (typeof value !== 'string') return refuse(column, value)
  const at = out.field(1 + Buffer.byteLength(value))
  out.buffer[at] = 1
  out.buffer.write(value, at + 1)
}

/** Encoders by `format_type` name (as describeTable reports it), modifiers stripped. */
const ENCODERS: Record<string, Encode> = {
  smallint: integer(2, -32768n, 32767n),
  integer: integer(4, -2147483648n, 2147483647n),
  bigint: integer(8, -9223372036854775808n, 9223372036854775807n),
  numeric: numeric,
  'double precision': float8,
  boolean: boolean,
  date: date,
  'timestamp without time zone': timestamp,
  uuid: uuid,
  text: text,
  'character varying': text,
  character: text,
  json: text,
  jsonb: jsonb,
}

/** `numeric(12,2)` → `numeric`, `timestamp(3) without time zone` → `timestamp without time zone`. */
function baseType(type: string): string {
  return type.replace(/\(\d+(?:,\d+)?\)/, '').trim()
}

export interface PgBinaryEncoder {
  /** Encodes `count` rows of `values` (flat, one value per column and row); throws NotBinaryEncodable. */
  encode(values: ArrayLike<unknown>, count: number): Buffer
}

/** Whether every one of these columns' types has an encoder here. */
export function binaryEncodable(columns: ColumnInfo[]): boolean {
  return columns.every((column) => Object.hasOwn(ENCODERS, baseType(column.type)))
}

/** An encoder for these columns, or undefined when one of their types has no encoder here. */
export function pgBinaryEncoder(columns: ColumnInfo[]): PgBinaryEncoder | undefined {
  if (!binaryEncodable(columns)) return undefined
  const encoders = columns.map((column) => ENCODERS[baseType(column.type)])
  const names = columns.map((column) => column.name)
  const width = columns.length
  const out = new BinaryWriter()
  return {
    encode(values, count) {
      // A batch that threw part-way left bytes behind: start clean.
      out.at = 0
      for (let row = 0; row < count; row++) {
        out.int16(width)
        for (let column = 0; column < width; column++) {
          const value = values[row * width + column]
          if (value === null || value === undefined) out.int32(-1)
          else encoders[column](out, value, names[column])
        }
      }
      return out.take()
    },
  }
}
