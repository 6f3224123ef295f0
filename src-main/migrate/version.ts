import type { Adapter } from '../db/adapter.js'

/**
 * Orders versions the way people number them: segment by segment ("1.10" after "1.9"), digits
 * compared as numbers of any length (timestamps overflow doubles), then text.
 */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0
  // Digits only (sequential numbers, timestamps): compared as numbers without splitting or BigInt.
  if (DIGITS.test(a) && DIGITS.test(b)) return compareDigits(a, b)
  const left = a.split(/[._]/)
  const right = b.split(/[._]/)
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? ''
    const y = right[i] ?? ''
    if (x === y) continue
    if (DIGITS.test(x) && DIGITS.test(y)) {
      const difference = compareDigits(x, y)
      if (difference !== 0) return difference
      continue
    }
    if (x === '') return -1
    if (y === '') return 1
    return x < y ? -1 : 1
  }
  return 0
}

const DIGITS = /^\d+$/

/** Two whole numbers written in digits, of any length: the shorter (without leading zeros) is smaller. */
function compareDigits(x: string, y: string): number {
  let i = 0
  let j = 0
  while (i < x.length - 1 && x.charCodeAt(i) === 48) i++
  while (j < y.length - 1 && y.charCodeAt(j) === 48) j++
  const lengths = x.length - i - (y.length - j)
  if (lengths !== 0) return lengths < 0 ? -1 : 1
  for (; i < x.length; i++, j++) {
    const difference = x.charCodeAt(i) - y.charCodeAt(j)
    if (difference !== 0) return difference < 0 ? -1 : 1
  }
  return 0
}

/**
 * The newest applied migration version of a database, or undefined when it has none (or no
 * history table). Backups record it so a restore can tell which schema it brings back.
 */
export async function readMigrationVersion(adapter: Adapter, table = 'migr8_migrations'): Promise<string | undefined> {
  let rows: Array<{ version: string }>
  try {
    rows = await adapter.query<{ version: string }>(
      `SELECT version FROM ${adapter.qualifiedTable(table)} WHERE state = ?`,
      ['applied'],
    )
  } catch {
    return undefined
  }
  return rows
    .map((row) => String(row.version))
    .sort(compareVersions)
    .pop()
}
