import type { Adapter } from '../../db/adapter.js'

/** Booleans as each driver returns them: pg `true`, MySQL tinyint `1`, SQLite `1` (or `'true'` from hand-written rows). */
export function truthy(value: unknown): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0
  if (Buffer.isBuffer(value)) return value.length > 0 && value[0] !== 0
  return ['1', 't', 'true', 'y', 'yes'].includes(String(value).trim().toLowerCase())
}

/** A timestamp as the driver returns it (Date, ISO text, SQLite `YYYY-MM-DD HH:MM:SS[.fff]` in UTC). */
export function toDate(value: unknown): Date | undefined {
  if (value == null || value === '') return undefined
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value
  const text = String(value).trim()
  // SQLite's datetime('now') and strftime('%Y-%m-%d %H:%M:%f','now') are UTC without a zone.
  const sqliteUtc = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text
  const date = new Date(sqliteUtc)
  return Number.isNaN(date.getTime()) ? undefined : date
}

export async function countRows(adapter: Adapter, table: string): Promise<number> {
  const rows = await adapter.query<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${adapter.qualifiedTable(table)}`)
  return Number(rows[0]?.n ?? 0)
}

/** Column names of a table in lower case, or undefined when it does not exist. */
export async function columnsOf(adapter: Adapter, table: string): Promise<string[] | undefined> {
  const columns = await adapter.describeTable(table)
  return columns?.map((c) => c.name.toLowerCase())
}
