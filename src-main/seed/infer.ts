import { convertsTextToNumber, sqliteAffinity, sqliteNumber } from './sqlite-numbers.js'
import type { InferredType } from './types.js'

/** What a database column type accepts, reduced to the kinds a seed value can have. */
export type TargetKind =
  | 'integer'
  | 'decimal'
  | 'float'
  | 'boolean'
  | 'date'
  | 'timestamp'
  | 'time'
  | 'uuid'
  | 'json'
  | 'text'
  | 'binary'
  | 'other'

const INTEGER = /^[+-]?\d+$/
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?\s?(Z|[+-]\d{2}(:?\d{2})?)?$/i
const TIME = /^(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const BOOLEAN_WORDS = new Map<string, boolean>([
  ['true', true],
  ['false', false],
  ['t', true],
  ['f', false],
  ['yes', true],
  ['no', false],
  ['y', true],
  ['n', false],
  ['on', true],
  ['off', false],
])

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false
  if (day <= 28) return true
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  return day <= (month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1])
}

const digitAt = (text: string, at: number) => text.charCodeAt(at) - 48
const isDigitAt = (text: string, at: number) => {
  const c = text.charCodeAt(at)
  return c >= 48 && c <= 57
}

/** `YYYY-MM-DD` at the start of `text`, checked without a regular expression or a copy (the common case of large files). */
function plainDate(text: string): boolean {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false
  if (!isDigitAt(text, 0) || !isDigitAt(text, 1) || !isDigitAt(text, 2) || !isDigitAt(text, 3)) return false
  if (!isDigitAt(text, 5) || !isDigitAt(text, 6) || !isDigitAt(text, 8) || !isDigitAt(text, 9)) return false
  const year = digitAt(text, 0) * 1000 + digitAt(text, 1) * 100 + digitAt(text, 2) * 10 + digitAt(text, 3)
  return validDate(year, digitAt(text, 5) * 10 + digitAt(text, 6), digitAt(text, 8) * 10 + digitAt(text, 9))
}

/** `YYYY-MM-DD HH:MM:SS` (or with `T`), checked without a regular expression. */
function plainTimestamp(text: string): boolean {
  if (!plainDate(text)) return false
  const sep = text.charCodeAt(10)
  if (sep !== 32 && sep !== 84) return false
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return false
  if (!isDigitAt(text, 11) || !isDigitAt(text, 12) || !isDigitAt(text, 14)) return false
  if (!isDigitAt(text, 15) || !isDigitAt(text, 17) || !isDigitAt(text, 18)) return false
  return digitAt(text, 11) * 10 + digitAt(text, 12) <= 23 && digitAt(text, 14) <= 5 && digitAt(text, 17) <= 5
}

/** Digits before the decimal point, leading zeros and sign left out (`-007.50` → 1). */
function integerDigits(text: string): number {
  let at = text.charCodeAt(0) === 43 || text.charCodeAt(0) === 45 ? 1 : 0
  while (text.charCodeAt(at) === 48) at++
  let digits = 0
  while (isDigitAt(text, at)) {
    at++
    digits++
  }
  return digits
}

/** The narrowest type a CSV cell fits. */
export function inferText(value: string | null): InferredType {
  if (value === null || value === '') return 'empty'
  const first = value.charCodeAt(0)
  if ((first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46) {
    if (INTEGER.test(value)) return 'integer'
    if (DECIMAL.test(value)) return 'decimal'
    let match = DATE.exec(value)
    if (match) return validDate(+match[1], +match[2], +match[3]) ? 'date' : 'text'
    match = TIMESTAMP.exec(value)
    if (match) return validDate(+match[1], +match[2], +match[3]) ? 'timestamp' : 'text'
  }
  if (UUID.test(value)) return 'uuid'
  const lower = value.toLowerCase()
  if (lower === 'true' || lower === 'false') return 'boolean'
  if ((first === 123 || first === 91) && isJson(value)) return 'json'
  return 'text'
}

/** The type of a YAML value. */
export function inferValue(value: unknown): InferredType {
  if (value === null || value === undefined) return 'empty'
  if (typeof value === 'string') return inferText(value)
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'number' || typeof value === 'bigint')
    return Number.isInteger(value) || typeof value === 'bigint' ? 'integer' : 'decimal'
  if (value instanceof Date) return 'timestamp'
  return 'json'
}

/** The type of a column given two of its values' types. */
export function mergeTypes(a: InferredType, b: InferredType): InferredType {
  if (a === b || b === 'empty') return a
  if (a === 'empty') return b
  const pair = new Set([a, b])
  if (pair.has('integer') && pair.has('decimal')) return 'decimal'
  if (pair.has('date') && pair.has('timestamp')) return 'timestamp'
  return 'text'
}

function isJson(value: string): boolean {
  try {
    JSON.parse(value)
    return true
  } catch {
    return false
  }
}

/** Classifies a column type as the database names it (PostgreSQL, MySQL or SQLite spelling). */
export function classifyTarget(type: string): TargetKind {
  const t = type.toLowerCase()
  if (/^(tinyint\(1\)(?!\d)|bool\b|boolean\b)/.test(t)) return 'boolean'
  if (/^(smallint|integer|int|bigint|tinyint|mediumint|int2|int4|int8|serial|bigserial|smallserial)\b/.test(t))
    return 'integer'
  if (/int/.test(t) && !/interval|point/.test(t)) return 'integer'
  if (/^(numeric|decimal|dec|money)\b/.test(t)) return 'decimal'
  if (/^(real|double|float)/.test(t)) return 'float'
  if (/^(timestamp|datetime)/.test(t)) return 'timestamp'
  if (/^date\b/.test(t)) return 'date'
  if (/^time\b|^time\(/.test(t)) return 'time'
  if (/^uuid\b/.test(t)) return 'uuid'
  if (/^jsonb?\b/.test(t)) return 'json'
  if (/^(bytea|blob|binary|varbinary|tinyblob|mediumblob|longblob)/.test(t)) return 'binary'
  if (/char|text|clob|citext|^name$|^enum|^set\(/.test(t) || t === '') return 'text'
  return 'other'
}

/** Text-like columns keep an empty CSV field as an empty string; every other kind reads it as NULL. */
export function emptyMeansNull(kind: TargetKind): boolean {
  return kind !== 'text' && kind !== 'other'
}

/** Whether values of an inferred type load into a column kind (for the preview's mismatch list). */
export function compatible(inferred: InferredType, target: TargetKind): boolean {
  if (inferred === 'empty' || target === 'text' || target === 'other' || target === 'binary') return true
  switch (target) {
    case 'integer':
      return inferred === 'integer'
    case 'decimal':
    case 'float':
      return inferred === 'integer' || inferred === 'decimal'
    case 'boolean':
      return inferred === 'boolean' || inferred === 'integer'
    case 'date':
      return inferred === 'date' || inferred === 'timestamp'
    case 'timestamp':
      return inferred === 'date' || inferred === 'timestamp'
    case 'time':
      return inferred === 'text'
    case 'uuid':
      return inferred === 'uuid'
    case 'json':
      return true
  }
}

const INTEGER_LIMITS: Array<[RegExp, bigint, bigint]> = [
  [/^(tinyint|int1)\b.*unsigned/, 0n, 255n],
  [/^(tinyint|int1)\b/, -128n, 127n],
  [/^(smallint|int2|smallserial)\b.*unsigned/, 0n, 65535n],
  [/^(smallint|int2|smallserial)\b/, -32768n, 32767n],
  [/^mediumint\b.*unsigned/, 0n, 16777215n],
  [/^mediumint\b/, -8388608n, 8388607n],
  [/^(int|integer|int4|serial)\b.*unsigned/, 0n, 4294967295n],
  [/^(int|integer|int4|serial)\b/, -2147483648n, 2147483647n],
  [/^(bigint|int8|bigserial)\b.*unsigned/, 0n, 18446744073709551615n],
  [/^(bigint|int8|bigserial)\b/, -9223372036854775808n, 9223372036854775807n],
]

/** Converts a CSV cell or YAML value for a column, or throws a reason. */
export type Converter = (value: unknown) => unknown

export class ConversionError extends Error {}

function fail(reason: string): never {
  throw new ConversionError(reason)
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/**
 * A converter for one column: checks the value fits the column type and returns it in a form every
 * driver binds (string, number, boolean as true/false, null). `dialect` picks the boolean and
 * timestamp spelling the database reads back, and on SQLite decimals bound as numbers.
 */
export function converterFor(
  column: { type: string; nullable: boolean },
  dialect: 'postgres' | 'mysql' | 'sqlite',
): Converter {
  const kind = classifyTarget(column.type)
  const type = column.type.toLowerCase()
  // SQLite would parse a decimal text into a number on every insert; a number bound as it is costs less.
  const decimalOut: (text: string) => unknown =
    dialect === 'sqlite' && convertsTextToNumber(sqliteAffinity(type)) ? sqliteNumber : (text) => text
  const notNull: Converter = (value) => {
    if (value === null || value === undefined) {
      if (!column.nullable) fail('NULL in a NOT NULL column')
      return null
    }
    return value
  }
  switch (kind) {
    case 'integer': {
      const limits = INTEGER_LIMITS.find(([pattern]) => pattern.test(type))
      const limitNumbers = limits ? [Number(limits[1]), Number(limits[2])] : undefined
      return (value) => {
        if (notNull(value) === null) return null
        if (typeof value === 'boolean') return value ? 1 : 0
        const text = asText(value).trim()
        if (!INTEGER.test(text)) fail(`not an integer`)
        if (text.length < 16) {
          // Exact as a double below 2^53: no BigInt needed.
          const n = Number(text)
          if (limits && (n < limitNumbers![0] || n > limitNumbers![1])) fail(`out of range for ${column.type}`)
          return n
        }
        if (limits) {
          const big = BigInt(text)
          if (big < limits[1] || big > limits[2]) fail(`out of range for ${column.type}`)
        }
        return text
      }
    }
    case 'decimal': {
      const precision = /\((\d+)\s*(?:,\s*(\d+))?\)/.exec(type)
      const maxIntegerDigits = precision ? Number(precision[1]) - Number(precision[2] ?? 0) : undefined
      return (value) => {
        if (notNull(value) === null) return null
        const text = asText(value).trim()
        if (!DECIMAL.test(text)) fail('not a number')
        if (maxIntegerDigits !== undefined && integerDigits(text) > maxIntegerDigits && !/e/i.test(text))
          fail(`too many digits for ${column.type}`)
        return decimalOut(text)
      }
    }
    case 'float':
      return (value) => {
        if (notNull(value) === null) return null
        const text = asText(value).trim()
        if (!DECIMAL.test(text) && !/^[+-]?(inf|infinity|nan)$/i.test(text)) fail('not a number')
        return decimalOut(text)
      }
    case 'boolean':
      return (value) => {
        if (notNull(value) === null) return null
        if (typeof value === 'boolean') return dialect === 'postgres' ? value : value ? 1 : 0
        if (value === '1' || value === '0') return dialect === 'postgres' ? value === '1' : value === '1' ? 1 : 0
        const text = asText(value).trim().toLowerCase()
        const word = text === '1' ? true : text === '0' ? false : BOOLEAN_WORDS.get(text)
        if (word === undefined) fail('not a boolean (true/false, t/f, yes/no, 1/0)')
        return dialect === 'postgres' ? word : word ? 1 : 0
      }
    case 'date':
      return (value) => {
        if (notNull(value) === null) return null
        if (value instanceof Date) return value.toISOString().slice(0, 10)
        const text = asText(value).trim()
        if (text.length === 10 && plainDate(text)) return text
        const match = DATE.exec(text) ?? TIMESTAMP.exec(text)
        if (!match || !validDate(+match[1], +match[2], +match[3])) fail('not a date (YYYY-MM-DD)')
        return text
      }
    case 'timestamp':
      return (value) => {
        if (notNull(value) === null) return null
        if (value instanceof Date)
          return dialect === 'mysql' ? value.toISOString().replace('T', ' ').replace('Z', '') : value.toISOString()
        const text = asText(value).trim()
        if (text.length === 19 && plainTimestamp(text)) return text
        const match = TIMESTAMP.exec(text) ?? DATE.exec(text)
        if (!match || !validDate(+match[1], +match[2], +match[3])) fail('not a timestamp (YYYY-MM-DD HH:MM:SS)')
        if (match[4] !== undefined && (+match[4] > 23 || +match[5] > 59 || (match[7] !== undefined && +match[7] > 59)))
          fail('not a valid time of day')
        return text
      }
    case 'time':
      return (value) => {
        if (notNull(value) === null) return null
        const text = asText(value).trim()
        if (!TIME.test(text)) fail('not a time (HH:MM:SS)')
        return text
      }
    case 'uuid':
      return (value) => {
        if (notNull(value) === null) return null
        const text = asText(value).trim()
        if (!UUID.test(text)) fail('not a UUID')
        return text
      }
    case 'json':
      return (value) => {
        if (notNull(value) === null) return null
        if (typeof value === 'string') {
          if (!isJson(value)) fail('not valid JSON')
          return value
        }
        return JSON.stringify(value instanceof Date ? value.toISOString() : value)
      }
    case 'text': {
      const length = /^(?:character varying|varchar|character|char|nvarchar|nchar)\s*\((\d+)\)/.exec(type)
      const max = length ? Number(length[1]) : undefined
      return (value) => {
        if (notNull(value) === null) return null
        const text = asText(value)
        if (max !== undefined && text.length > max && [...text].length > max) fail(`longer than ${max} characters`)
        return text
      }
    }
    default:
      return (value) => {
        if (notNull(value) === null) return null
        return typeof value === 'string' ? value : asText(value)
      }
  }
}
