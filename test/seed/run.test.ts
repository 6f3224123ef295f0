import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Driver } from '../../src-main/config/schema.js'
import type { Adapter } from '../../src-main/db/adapter.js'
import { runSeeds } from '../../src-main/seed/index.js'
import { availableDialects, useDatabase } from '../support/databases.js'
import { count, createTables, seedConfig, seedFolder, tempDir } from './support.js'

const dialects = await availableDialects()
const EXAMPLES = join(import.meta.dirname, '../../examples/seeds')

function exampleFolder(): string {
  const dir = tempDir()
  mkdirSync(join(dir, 'seeds'))
  for (const name of ['01_customers.csv', '02_orders.yaml']) copyFileSync(join(EXAMPLES, name), join(dir, 'seeds', name))
  return dir
}

describe.each(dialects)('seed run on %s', (dialect: Driver) => {
  const db = useDatabase(dialect)
  const open = async (): Promise<Adapter> => {
    const adapter = await db.open()
    await createTables(adapter)
    return adapter
  }

  it('loads the example seeds in order, keeping quoted commas, quotes, unicode and NULLs', async () => {
    const adapter = await open()
    const reports = await runSeeds(adapter, seedConfig(db.connection, exampleFolder()))
    expect(reports.map((r) => [r.name, r.status, r.rowsInserted])).toEqual([
      ['01_customers.csv', 'loaded', 20],
      ['02_orders.yaml', 'loaded', 6],
    ])
    const customers = await adapter.query<{ id: number; name: string; email: string | null; created_at: unknown }>('SELECT id, name, email, created_at FROM customers ORDER BY id')
    expect(customers[1].name).toBe('Hopper, Grace')
    expect(customers[2].name).toBe('Zoë Ångström')
    expect(customers[5].name).toBe('田中 太郎')
    expect(customers[8].name).toBe('Dwayne "The Rock" Johnson')
    // An empty field stays an empty string in a text column (add '' to seeds.nullValues to make it NULL)…
    expect(customers[11].email).toBe('')
    // …while \N (a configured NULL marker) is NULL in any column.
    expect(customers[14].created_at).toBeNull()
    expect(customers[0].created_at).not.toBeNull()
    const orders = await adapter.query<{ id: number; customer_id: number; total: unknown; note: string | null }>('SELECT id, customer_id, total, note FROM orders ORDER BY id')
    expect(orders.map((o) => Number(o.customer_id))).toEqual([1, 1, 2, 3, 6, 9])
    expect(Number(orders[0].total)).toBeCloseTo(129.9)
    expect(orders[1].note).toBeNull()
    expect(orders[3].note).toBe('Leave at the door.\nRing twice.\n')
    expect(orders[4].note).toBe('配達は午後にお願いします')
  })
})
