import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import type { Driver } from '../../src-main/config/schema.js'
import type { Adapter } from '../../src-main/db/adapter.js'
import { generateSeed, previewSeed, runSeeds } from '../../src-main/seed/index.js'
import { availableDialects, useDatabase } from '../support/databases.js'
import { count, createTables, seedConfig, seedFolder, tempDir } from './support.js'

const dialects = await availableDialects()
const EXAMPLES = join(import.meta.dirname, '../../examples/seeds')

describe('preview without a database', () => {
  it('shows rows, inferred types, the delimiter and an exact count for a small file', async () => {
    const preview = await previewSeed(undefined, join(EXAMPLES, '01_customers.csv'), { rows: 5 })
    expect(preview.table).toBe('customers')
    expect(preview.delimiter).toBe(',')
    expect(preview.columns.map((c) => [c.name, c.inferredType])).toEqual([
      ['id', 'integer'],
      ['name', 'text'],
      ['email', 'text'],
      ['created_at', 'timestamp'],
    ])
    expect(preview.rows[1]).toEqual(['2', 'Hopper, Grace', 'grace@example.com', '2024-01-03 10:00:00'])
    expect(preview.lines).toEqual([2, 3, 4, 5, 6])
    expect([preview.estimatedRows, preview.exactRowCount]).toEqual([20, true])
    expect(preview.problems).toEqual([])
  })

  it('estimates the row count of a file it does not read to the end', async () => {
    const path = join(tempDir(), 'big.csv')
    writeFileSync(path, 'id,v\n' + Array.from({ length: 200_000 }, (_, i) => `${i % 10},abcdefghij\n`).join(''))
    const preview = await previewSeed(undefined, path, { rows: 10 })
    expect(preview.exactRowCount).toBe(false)
    expect(preview.estimatedRows).toBeGreaterThan(190_000)
    expect(preview.estimatedRows).toBeLessThan(210_000)
  })

  it('previews a YAML file holding several tables', async () => {
    const dir = seedFolder({ 'multi.yaml': 'a:\n  - { x: 1 }\nb:\n  - { y: true }\n  - { y: false }\n' })
    const preview = await previewSeed(undefined, join(dir, 'seeds', 'multi.yaml'), { table: 'b' })
    expect(preview.tables).toEqual(['a', 'b'])
    expect(preview.table).toBe('b')
    expect(preview.rows).toEqual([[true], [false]])
    expect(preview.columns[0].inferredType).toBe('boolean')
  })
})

describe.each(dialects)('preview and generate on %s', (dialect: Driver) => {
  const db = useDatabase(dialect)
  const open = async (): Promise<Adapter> => {
    const adapter = await db.open()
    await createTables(adapter)
    return adapter
  }

  it('puts the table columns beside the file columns and lists every mapping problem and bad row', async () => {
    const adapter = await open()
    const dir = seedFolder({
      'kinds.csv': 'id,amount,flag,extra,id\n1,1.5,true,x,1\n2,abc,maybe,y,2\n\\N,2,false,z,3\n',
    })
    const preview = await previewSeed(adapter, join(dir, 'seeds', 'kinds.csv'))
    const kinds = preview.problems.map((p) => `${p.kind}:${p.column ?? ''}`)
    expect(kinds).toEqual(
      expect.arrayContaining([
        'extra-column:extra',
        'duplicate-column:id',
        'type-mismatch:amount',
        'type-mismatch:flag',
        'not-null:id',
      ]),
    )
    const amount = preview.columns.find((c) => c.name === 'amount')!
    expect(amount.inferredType).toBe('text')
    expect(amount.target?.type).toMatch(/^(numeric|decimal)\(10,\s?2\)$/)
    expect(preview.columns.find((c) => c.name === 'extra')!.target).toBeUndefined()
    expect(preview.badRows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ line: 3, column: 'amount', value: 'abc' }),
        expect.objectContaining({ line: 4, column: 'id', value: '\\N', reason: 'NULL in a NOT NULL column' }),
      ]),
    )
    expect(preview.unfilledColumns).toEqual(expect.arrayContaining(['born', 'label']))
    const missing = await previewSeed(adapter, join(seedFolder({ 'nosuch.csv': 'a\n1\n' }), 'seeds', 'nosuch.csv'))
    expect(missing.problems).toEqual([{ kind: 'table-missing', message: 'the table nosuch does not exist' }])
  })

  it('reports a NOT NULL column the file leaves out', async () => {
    const adapter = await open()
    const preview = await previewSeed(
      adapter,
      join(seedFolder({ 'customers.csv': 'id,email\n1,a@b\n' }), 'seeds', 'customers.csv'),
    )
    expect(preview.problems).toContainEqual(expect.objectContaining({ kind: 'missing-column', column: 'name' }))
  })

  it('captures rows as CSV and YAML seed files that load back to the same rows', async () => {
    const adapter = await open()
    const base = tempDir()
    const examples = seedFolder(
      {
        '01_customers.csv': readFileSync(join(EXAMPLES, '01_customers.csv')),
        '02_orders.yaml': readFileSync(join(EXAMPLES, '02_orders.yaml')),
      },
      base,
    )
    await runSeeds(adapter, seedConfig(db.connection, examples))
    const snapshot = async () => ({
      customers: (await adapter.query('SELECT id, name, email, created_at FROM customers ORDER BY id')).map((row) =>
        JSON.stringify(Object.values(row)),
      ),
      orders: (await adapter.query('SELECT id, customer_id, total, placed_at, note FROM orders ORDER BY id')).map(
        (row) => JSON.stringify(Object.values(row)),
      ),
    })
    const before = await snapshot()
    const out = seedFolder({})
    const customers = await generateSeed(
      adapter,
      { table: 'customers', format: 'csv' },
      join(out, 'seeds', '01_customers.csv'),
    )
    const orders = await generateSeed(
      adapter,
      { table: 'orders', format: 'yaml' },
      join(out, 'seeds', '02_orders.yaml'),
    )
    expect([customers.rows, orders.rows]).toEqual([20, 6])
    const reports = await runSeeds(adapter, seedConfig(db.connection, out), { truncate: true, validate: true })
    expect(reports.map((r) => [r.status, r.rowsInserted])).toEqual([
      ['loaded', 20],
      ['loaded', 6],
    ])
    expect(await snapshot()).toEqual(before)
  })

  it('generates with --where and --limit to a stream, and refuses unknown tables and stacked statements', async () => {
    const adapter = await open()
    await runSeeds(adapter, seedConfig(db.connection, seedFolder({ 'customers.csv': 'id,name\n1,a\n2,b\n3,c\n4,d\n' })))
    const sink = new PassThrough()
    let text = ''
    sink.on('data', (chunk) => (text += chunk))
    const report = await generateSeed(adapter, { table: 'customers', format: 'csv', where: 'id > 1', limit: 2 }, sink)
    expect(report.rows).toBe(2)
    expect(text.split('\n').slice(0, 3)).toEqual(['id,name,email,created_at', '2,b,\\N,\\N', '3,c,\\N,\\N'])
    await expect(generateSeed(adapter, { table: 'nosuch', format: 'csv' }, new PassThrough())).rejects.toMatchObject({
      code: 'TABLE_MISSING',
    })
    await expect(
      generateSeed(adapter, { table: 'customers', format: 'csv', where: '1=1; DROP TABLE kinds' }, new PassThrough()),
    ).rejects.toMatchObject({ code: 'BAD_USAGE' })
    expect(await count(adapter, 'kinds')).toBe(0)
  })
})
