import type { Adapter } from '../db/adapter.js'

/**
 * Orders versions the way people number them: segment by segment ("1.10" after "1.9"), digits
 * compared as numbers of any length (timestamps overflow doubles), then text.
 */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/[._]/)
  const right = b.split(/[._]/)
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? ''
    const y = right[i] ?? ''
    if (x === y) continue
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) {
      const difference = BigInt(x) - BigInt(y)
      if (difference !== 0n) return difference < 0n ? -1 : 1
      continue
    }
    if (x === '') return -1
    if (y === '') return 1
    return x < y ? -1 : 1
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
