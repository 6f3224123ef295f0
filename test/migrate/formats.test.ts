import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openAdapter } from '../../src-main/db/index.js'
import { checksum, normaliseText, statementHash } from '../../src-main/migrate/checksum.js'
import { canonicalVersion, Migrator, readMigrations, type Migration } from '../../src-main/migrate/index.js'
import { Migr8Error } from '../../src-shared/errors.js'
import { settings } from '../support/migrations.js'

const CORPUS = fileURLToPath(new URL('../corpus/migrations/', import.meta.url))
const temps: string[] = []
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

function folder(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'migr8-formats-'))
  temps.push(dir)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

function read(files: Record<string, string | Buffer>): Migration[] {
  return readMigrations(folder(files))
}

function errorOf(fn: () => unknown): Migr8Error {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(Migr8Error)
    return error as Migr8Error
  }
  throw new Error('expected an error')
}

describe('golang-migrate', () => {
  it('pairs {v}_{name}.up.sql with .down.sql, keeping paths and text', () => {
    const dir = folder({
      '20240101120000_create_users.up.sql': 'CREATE TABLE users (id int);\n',
      '20240101120000_create_users.down.sql': 'DROP TABLE users;\n',
      '20240102120000_add_index.up.sql': 'CREATE INDEX i ON users (id);\n',
    })
    const [first, second] = readMigrations(dir)
    expect(first).toMatchObject({ version: '20240101120000', name: 'create_users', format: 'golang-migrate' })
    expect(first.up).toMatchObject({
      sql: 'CREATE TABLE users (id int);\n',
      file: join(dir, '20240101120000_create_users.up.sql'),
      line: 1,
      noTransaction: false,
      envsub: false,
    })
    expect(first.down?.sql).toBe('DROP TABLE users;\n')
    expect(second.down).toBeUndefined()
    expect(first.checksum).toBe(checksum('CREATE TABLE users (id int);\n'))
  })

  it('reads the migr8 directives as full-line comments, in any case and spacing', () => {
    const [m] = read({
      '1_idx.up.sql': 'SELECT 1;\n  --   MIGR8:no-transaction\n--migr8:envsub   on\n',
      '1_idx.down.sql': 'SELECT 2; -- migr8:no-transaction (not a full-line comment)\n',
    })
    expect(m.up).toMatchObject({ noTransaction: true, envsub: true })
    expect(m.down).toMatchObject({ noTransaction: false, envsub: false })
  })
})

describe('dbmate', () => {
  it('splits -- migrate:up / -- migrate:down, with transaction:false and leading comments', () => {
    const dir = folder({
      '20240101000000_users.sql':
        '-- a comment before the marker is fine\n\n-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (x);\n\n-- migrate:down\nDROP INDEX i;\n',
    })
    const [m] = readMigrations(dir)
    expect(m).toMatchObject({ version: '20240101000000', name: 'users', format: 'dbmate' })
    expect(m.up).toMatchObject({ noTransaction: true, line: 4, file: join(dir, '20240101000000_users.sql') })
    expect(m.up.sql.trim()).toBe('CREATE INDEX CONCURRENTLY i ON t (x);')
    expect(m.down).toMatchObject({ noTransaction: false, line: 7 })
    expect(m.down?.sql.trim()).toBe('DROP INDEX i;')
    expect(m.checksum).toBe(checksum(m.up.sql))
  })

  it('allows a file without a down section, and reads CRLF files like LF ones', () => {
    const [m] = read({ '1_a.sql': '-- migrate:up\r\nCREATE TABLE a (id int);\r\n' })
    expect(m.down).toBeUndefined()
    const [lf] = read({ '1_a.sql': '-- migrate:up\nCREATE TABLE a (id int);\n' })
    expect(m.checksum).toBe(lf.checksum)
  })

  it('finds the markers behind a UTF-8 BOM, so the down section never runs as part of up', () => {
    const [m] = read({ '1_a.sql': '\uFEFF-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n' })
    expect(m.format).toBe('dbmate')
    expect(m.up.sql).not.toContain('DROP TABLE')
    expect(m.down?.sql.trim()).toBe('DROP TABLE a;')
  })

  it('applies migr8 directives written above the first marker to both directions', () => {
    const [m] = read({ '1_a.sql': '-- migr8:no-transaction\n-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n' })
    expect(m.up.noTransaction).toBe(true)
    expect(m.down?.noTransaction).toBe(true)
  })
})

describe('goose', () => {
  const text = [
    '-- +goose NO TRANSACTION',
    '-- +goose ENVSUB ON',
    '-- +goose Up',
    'CREATE TABLE t (id int);',
    '-- +goose StatementBegin',
    'CREATE FUNCTION f() RETURNS trigger AS $$',
    'BEGIN',
    '  RETURN NEW;',
    'END;',
    '$$ LANGUAGE plpgsql;',
    '-- +goose StatementEnd',
    'CREATE TABLE u (id int);',
    '',
    '-- +goose Down',
    'DROP FUNCTION f();',
    'DROP TABLE u;',
    '',
  ].join('\n')

  it('reads Up/Down, StatementBegin/End blocks as whole pieces, NO TRANSACTION and ENVSUB ON', () => {
    const [m] = read({ '00042_fn.sql': text })
    expect(m).toMatchObject({ version: '00042', name: 'fn', format: 'goose' })
    expect(m.up).toMatchObject({ noTransaction: true, envsub: true, line: 4 })
    expect(m.up.pieces).toEqual([
      { sql: 'CREATE TABLE t (id int);', line: 4, whole: false },
      {
        sql: 'CREATE FUNCTION f() RETURNS trigger AS $$\nBEGIN\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql',
        line: 6,
        whole: true,
      },
      { sql: 'CREATE TABLE u (id int);\n', line: 12, whole: false },
    ])
    expect(m.down).toMatchObject({ noTransaction: true, envsub: true, line: 15 })
    expect(m.down?.pieces).toEqual([{ sql: 'DROP FUNCTION f();\nDROP TABLE u;\n', line: 15, whole: false }])
  })

  it('takes markers in any case and treats an empty down section as no down', () => {
    const [m] = read({ '1_a.sql': '-- +goose up\nSELECT 1;\n-- +GOOSE DOWN\n\n' })
    expect(m.format).toBe('goose')
    expect(m.up.noTransaction).toBe(false)
    expect(m.down).toBeUndefined()
  })

  it('finds the markers behind a UTF-8 BOM and CRLF line endings', () => {
    const [m] = read({
      '1_a.sql': '\uFEFF-- +goose Up\r\nCREATE TABLE a (id int);\r\n-- +goose Down\r\nDROP TABLE a;\r\n',
    })
    expect(m.format).toBe('goose')
    expect(m.up.sql).not.toContain('DROP')
    expect(m.down?.sql).toContain('DROP TABLE a;')
  })
})

describe('Flyway and plain files', () => {
  it('reads V{v}__name.sql with U{v}__name.sql as its undo, 1_2 as 1.2', () => {
    const [a, b] = read({
      'V1__init.sql': 'CREATE TABLE a (id int);',
      'U1__init.sql': 'DROP TABLE a;',
      'V1_2__more_things.sql': 'CREATE TABLE b (id int);',
    })
    expect(a).toMatchObject({ version: '1', name: 'init', format: 'flyway' })
    expect(a.down?.sql).toBe('DROP TABLE a;')
    expect(b).toMatchObject({ version: '1.2', name: 'more_things', format: 'flyway' })
    expect(b.down).toBeUndefined()
  })

  it('reads {v}_{name}.sql without markers as an up-only plain migration', () => {
    const [m] = read({ '7_seed_lookup.sql': "-- just SQL\nINSERT INTO t VALUES ('-- migrate:up is only a string');\n" })
    expect(m).toMatchObject({ version: '7', name: 'seed_lookup', format: 'plain' })
    expect(m.down).toBeUndefined()
  })

  it('sorts every format together by version, numerically and segment by segment', () => {
    const migrations = read({
      '10_ten.up.sql': 'SELECT 10;',
      '9_nine.sql': '-- migrate:up\nSELECT 9;',
      'V1.10__v110.sql': 'SELECT 1.10;',
      'V1.9__v19.sql': 'SELECT 1.9;',
      '2_two.sql': '-- +goose Up\nSELECT 2;',
      '20240101000000_ts.sql': 'SELECT 0;',
      '99999999999999999999_huge.up.sql': 'SELECT 1;',
      '100000000000000000000_huger.up.sql': 'SELECT 1;',
    })
    expect(migrations.map((m) => m.version)).toEqual([
      '1.9',
      '1.10',
      '2',
      '9',
      '10',
      '20240101000000',
      '99999999999999999999',
      '100000000000000000000',
    ])
  })

  it('ignores files that are not .sql and sub-folders', () => {
    const dir = folder({ 'README.md': '# notes', '.gitkeep': '', '1_a.up.sql': 'SELECT 1;', 'notes.txt': 'x' })
    mkdirSync(join(dir, 'archive'))
    writeFileSync(join(dir, 'archive', 'junk.sql'), 'not a migration')
    expect(readMigrations(dir).map((m) => m.name)).toEqual(['a'])
  })

  it('reads an empty folder as no migrations, and a missing one as an error with a remedy', () => {
    expect(read({})).toEqual([])
    const missing = join(tmpdir(), `migr8-missing-${process.pid}-${Date.now()}`)
    const error = errorOf(() => readMigrations(missing))
    expect(error.code).toBe('MIGRATION_FILE_INVALID')
    expect(error.message).toContain(missing)
    expect(error.remedy).toContain('migrations.dir')
  })
})

describe('versions and checksums', () => {
  it('treats zero-padded versions as the same version', () => {
    expect(canonicalVersion('0001')).toBe('1')
    expect(canonicalVersion('001.002')).toBe('1.2')
    expect(canonicalVersion('20240101000000')).toBe('20240101000000')
    expect(canonicalVersion('000')).toBe('0')
  })

  it('ignores a BOM and CRLF / CR line endings, but nothing else', () => {
    const lf = 'CREATE TABLE a (id int);\nSELECT 1;\n'
    expect(checksum(lf)).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(checksum(lf)).toBe(`sha256:${createHash('sha256').update(lf).digest('hex')}`)
    expect(checksum(`\uFEFF${lf}`)).toBe(checksum(lf))
    expect(checksum(lf.replace(/\n/g, '\r\n'))).toBe(checksum(lf))
    expect(checksum(lf.replace(/\n/g, '\r'))).toBe(checksum(lf))
    expect(checksum(`${lf} `)).not.toBe(checksum(lf))
    expect(checksum(lf.toLowerCase())).not.toBe(checksum(lf))
    expect(normaliseText('a\uFEFFb')).toBe('a\uFEFFb')
  })

  it('gives files saved with a BOM or CRLF the same checksum as the LF original', () => {
    const body = 'CREATE TABLE a (id int);\nSELECT 1;\n'
    const [lf] = read({ '1_a.up.sql': body })
    const [crlf] = read({ '1_a.up.sql': `\uFEFF${body.replace(/\n/g, '\r\n')}` })
    expect(crlf.checksum).toBe(lf.checksum)
    expect(crlf.up.sql.startsWith('\uFEFF')).toBe(false)
  })

  it('covers the up script only: editing a down section does not count as drift', () => {
    const [a] = read({ '1_a.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n' })
    const [b] = read({ '1_a.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 3;\n' })
    expect(a.checksum).toBe(b.checksum)
  })

  it('hashes statements on trimmed, normalised text', () => {
    expect(statementHash('  SELECT 1;\r\n')).toBe(statementHash('SELECT 1;'))
    expect(statementHash('SELECT 1;')).toMatch(/^[0-9a-f]{16}$/)
    expect(statementHash('SELECT 2;')).not.toBe(statementHash('SELECT 1;'))
  })
})

/** What each corpus folder must be rejected for: words of the message, besides a file name. */
const CORPUS_EXPECTED: Record<string, { mentions: string[]; line?: number }> = {
  'unknown-name': { mentions: ['create_posts.sql', 'not in a known format'] },
  'unknown-name-no-separator': { mentions: ['001users.sql'] },
  'unknown-name-uppercase-ext': { mentions: ['001_users.SQL'] },
  'flyway-bad-separator': { mentions: ['V1_init.sql'] },
  'duplicate-version': { mentions: ['share version 002', '002_posts.up.sql', '002_users.up.sql'] },
  'duplicate-padded-version': { mentions: ['001_users.up.sql', '1_accounts.up.sql'] },
  'duplicate-padded-same-name': { mentions: ['001_users.sql', '1_users.sql'] },
  'duplicate-two-up-files': { mentions: ['two up files', '01_users.up.sql', '1_users.up.sql'] },
  'duplicate-across-formats': { mentions: ['3_orders.up.sql', 'V3__orders.sql'] },
  'duplicate-flyway-separators': { mentions: ['V1.1__b.sql', 'V1_1__a.sql'] },
  'orphan-down': { mentions: ['002_posts.down.sql', 'no up file'] },
  'flyway-orphan-undo': { mentions: ['U4__orders.sql', 'no up file'] },
  'flyway-repeatable': { mentions: ['R__views.sql', 'repeatable'] },
  'invalid-utf8': { mentions: ['001_users.up.sql', 'not valid UTF-8'] },
  'goose-unclosed-block': { mentions: ['001_fn.sql', 'StatementBegin without StatementEnd'], line: 2 },
  'goose-end-without-begin': { mentions: ['001_fn.sql', 'StatementEnd without StatementBegin'], line: 3 },
  'goose-nested-begin': { mentions: ['001_fn.sql', 'StatementBegin inside another'], line: 4 },
  'goose-down-only': { mentions: ['001_t.sql', 'found 0'] },
  'goose-sql-before-up': { mentions: ['001_t.sql', 'SQL before the first -- +goose Up'], line: 1 },
  'goose-two-ups': { mentions: ['001_t.sql', 'found 2'] },
  'dbmate-sql-before-marker': { mentions: ['001_t.sql', 'SQL before the first -- migrate:up'], line: 2 },
  'dbmate-two-ups': { mentions: ['001_t.sql', 'found 2'] },
  'dbmate-two-downs': { mentions: ['001_t.sql', 'more than one down section'] },
  'dbmate-down-only': { mentions: ['001_t.sql', 'found 0'] },
}

function fingerprint(dir: string): string {
  const hash = createHash('sha256')
  for (const name of readdirSync(dir, { recursive: true }).map(String).sort()) {
    hash.update(name)
    try {
      hash.update(readFileSync(join(dir, name)))
    } catch {
      // a folder
    }
  }
  return hash.digest('hex')
}

describe('migration corpus', () => {
  const cases = readdirSync(CORPUS).sort()
  const before = fingerprint(CORPUS)

  it('has an expectation for every folder and a folder for every expectation', () => {
    expect(cases).toEqual(Object.keys(CORPUS_EXPECTED).sort())
  })

  it.each(cases)('%s is rejected with MIGRATION_FILE_INVALID naming the file, with a remedy', (name) => {
    const error = errorOf(() => readMigrations(join(CORPUS, name)))
    const expected = CORPUS_EXPECTED[name]
    expect(error.code).toBe('MIGRATION_FILE_INVALID')
    for (const text of expected.mentions) expect(error.message).toContain(text)
    if (expected.line !== undefined) expect(error.message).toContain(`.sql:${expected.line}:`)
    expect(error.remedy.trim().length).toBeGreaterThan(10)
  })

  it('makes `up` fail before touching the database: no table, not even the history table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migr8-corpus-db-'))
    temps.push(dir)
    const adapter = await openAdapter({
      driver: 'sqlite',
      host: '',
      port: 0,
      database: join(dir, 'db.sqlite'),
      user: '',
      ssl: { mode: 'disable' },
      connectTimeoutMs: 5_000,
      poolMax: 1,
    })
    try {
      for (const name of cases) {
        const migrator = new Migrator(adapter, settings(join(CORPUS, name)))
        await expect(migrator.up(), name).rejects.toMatchObject({ code: 'MIGRATION_FILE_INVALID' })
      }
      const tables = await adapter.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      expect(tables).toEqual([])
    } finally {
      await adapter.close()
    }
    expect(fingerprint(CORPUS)).toBe(before)
  })
})
