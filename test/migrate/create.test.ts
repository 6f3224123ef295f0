import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createMigration, readMigrations, type CreateOptions } from '../../src-main/migrate/index.js'
import { Migr8Error } from '../../src-shared/errors.js'

const temps: string[] = []
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'migr8-create-'))
  temps.push(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

const NOW = new Date(Date.UTC(2025, 0, 2, 3, 4, 5))

function create(dir: string, name: string, options: Partial<CreateOptions> = {}): string[] {
  return createMigration({ dir, name, format: 'golang-migrate', versions: 'timestamp', now: NOW, ...options })
}

describe('migrate create', () => {
  it('writes an empty golang-migrate pair named by the UTC timestamp', () => {
    const dir = folder()
    const files = create(dir, 'create_users')
    expect(files).toEqual([
      join(dir, '20250102030405_create_users.up.sql'),
      join(dir, '20250102030405_create_users.down.sql'),
    ])
    for (const file of files) expect(readFileSync(file, 'utf8')).toBe('')
    const [m] = readMigrations(dir)
    expect(m).toMatchObject({ version: '20250102030405', name: 'create_users', format: 'golang-migrate' })
    expect(m.down).toBeDefined()
  })

  it('writes one dbmate file with both markers, read back as dbmate with a down section', () => {
    const dir = folder()
    const files = create(dir, 'add_orders', { format: 'dbmate' })
    expect(files.map((f) => basename(f))).toEqual(['20250102030405_add_orders.sql'])
    expect(readFileSync(files[0], 'utf8')).toBe('-- migrate:up\n\n\n-- migrate:down\n\n')
    const [m] = readMigrations(dir)
    expect(m).toMatchObject({ format: 'dbmate', name: 'add_orders' })
    expect(m.down).toBeDefined()
  })

  it('makes a file-name slug of any name, and refuses a name with no letters or digits', () => {
    const dir = folder()
    expect(basename(create(dir, '  Add Users: Table!! ')[0])).toBe('20250102030405_add_users_table.up.sql')
    const error = (() => {
      try {
        create(dir, ' --- ')
      } catch (e) {
        return e as Migr8Error
      }
      throw new Error('expected an error')
    })()
    expect(error).toBeInstanceOf(Migr8Error)
    expect(error.code).toBe('BAD_USAGE')
    expect(error.message).toContain('---')
    expect(error.remedy).toContain('migrate create')
  })

  it('creates the folder, nested, when it does not exist', () => {
    const dir = join(folder(), 'db', 'migrations')
    create(dir, 'first')
    expect(readdirSync(dir)).toHaveLength(2)
  })

  it('never gives two migrations created in the same second the same version', () => {
    const dir = folder()
    create(dir, 'first')
    create(dir, 'second', { format: 'dbmate' })
    create(dir, 'first')
    const migrations = readMigrations(dir)
    expect(migrations.map((m) => `${m.version}_${m.name}`)).toEqual([
      '20250102030405_first',
      '20250102030406_second',
      '20250102030407_first',
    ])
  })

  it('numbers sequential versions from 000001, keeping the width of existing ones', () => {
    const dir = folder()
    expect(basename(create(dir, 'a', { versions: 'sequential' })[0])).toBe('000001_a.up.sql')
    expect(basename(create(dir, 'b', { versions: 'sequential', format: 'dbmate' })[0])).toBe('000002_b.sql')
    const narrow = folder({ '0009_x.up.sql': 'SELECT 1;' })
    expect(basename(create(narrow, 'y', { versions: 'sequential' })[0])).toBe('0010_y.up.sql')
    const unpadded = folder({ '9_x.up.sql': 'SELECT 1;' })
    expect(basename(create(unpadded, 'y', { versions: 'sequential' })[0])).toBe('10_y.up.sql')
  })

  it('follows the leading number of Flyway and timestamp versions in sequential mode', () => {
    const flyway = folder({ 'V1.2__x.sql': 'SELECT 1;' })
    expect(basename(create(flyway, 'next', { versions: 'sequential' })[0])).toBe('2_next.up.sql')
    const stamped = folder({ '20240101000000_x.up.sql': 'SELECT 1;' })
    expect(basename(create(stamped, 'next', { versions: 'sequential' })[0])).toBe('20240101000001_next.up.sql')
    expect(readMigrations(flyway).map((m) => m.version)).toEqual(['1.2', '2'])
  })

  it('refuses sequential numbering over a folder it cannot read, and writes nothing', () => {
    const dir = folder({ 'oops.sql': 'SELECT 1;' })
    expect(() => create(dir, 'x', { versions: 'sequential' })).toThrow(/oops\.sql/)
    expect(readdirSync(dir)).toEqual(['oops.sql'])
  })
})
