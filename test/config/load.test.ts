import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { loadConfig, type LoadOptions } from '../../src-main/config/index.js'
import { CONFIG_TEMPLATE } from '../../src-main/config/template.js'
import { Migr8Error } from '../../src-shared/errors.js'

const dirs: string[] = []
afterEach(() => {
  dirs.length = 0
})

/** A temp folder holding `files`; returns its path. */
function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'migr8-config-'))
  dirs.push(dir)
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

/** Loads with a clean environment unless one is given (never the machine's MIGR8_* variables). */
function load(cwd: string, options: Omit<LoadOptions, 'cwd'> = {}) {
  return loadConfig({ env: {}, ...options, cwd })
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

const PG_FILE = 'database:\n  driver: postgres\n  host: file-host\n  port: 6543\n  name: filedb\n  user: fileuser\n'

describe('loadConfig defaults', () => {
  it('uses ./migr8.sqlite and ./migrations with no file and no environment', () => {
    const dir = folder()
    const config = load(dir)
    expect(config.file).toBeUndefined()
    expect(config.baseDir).toBe(dir)
    expect(config.connection).toMatchObject({
      driver: 'sqlite',
      host: '',
      port: 0,
      database: join(dir, 'migr8.sqlite'),
      user: '',
      ssl: { mode: 'prefer' },
      connectTimeoutMs: 10_000,
      poolMax: 4,
    })
    expect(config.migrations).toEqual({
      dir: join(dir, 'migrations'),
      table: 'migr8_migrations',
      lock: { mode: 'session', timeout: 60_000, lease: 30_000 },
      outOfOrder: 'error',
      create: { format: 'golang-migrate', versions: 'timestamp' },
    })
    expect(config.backups).toMatchObject({ dir: join(dir, 'backups'), compress: 'auto', format: 'plain' })
    expect(config.seeds).toMatchObject({ dir: join(dir, 'seeds'), truncate: false, nullValues: ['\\N', 'NULL'] })
  })

  it('fills server defaults: localhost, the driver port, postgres/PGUSER and root users', () => {
    const pg = load(folder({ 'migr8.yaml': 'database:\n  driver: postgres\n  name: app\n' }))
    expect(pg.connection).toMatchObject({ host: 'localhost', port: 5432, user: 'postgres', database: 'app' })
    const pgUser = load(folder({ 'migr8.yaml': 'database:\n  driver: postgres\n  name: app\n' }), {
      env: { PGUSER: 'alice' },
    })
    expect(pgUser.connection.user).toBe('alice')
    const my = load(folder({ 'migr8.yaml': 'database:\n  driver: mysql\n  name: app\n' }))
    expect(my.connection).toMatchObject({ host: 'localhost', port: 3306, user: 'root' })
  })

  it('keeps :memory: for SQLite and resolves relative paths against the config file folder', () => {
    expect(
      load(folder({ 'migr8.yaml': 'database:\n  driver: sqlite\n  name: ":memory:"\n' })).connection.database,
    ).toBe(':memory:')
    const root = folder({
      'conf/migr8.yaml':
        'database:\n  driver: sqlite\n  name: ./data/app.sqlite\n  ssl:\n    ca: ./certs/ca.pem\nmigrations:\n  dir: ../db/migrations\nbackups:\n  dir: /abs/backups\n',
    })
    const config = load(join(root, 'elsewhere'), { file: join(root, 'conf/migr8.yaml') })
    expect(config.baseDir).toBe(join(root, 'conf'))
    expect(config.connection.database).toBe(join(root, 'conf/data/app.sqlite'))
    expect(config.connection.ssl.ca).toBe(join(root, 'conf/certs/ca.pem'))
    expect(config.migrations.dir).toBe(join(root, 'db/migrations'))
    expect(config.backups.dir).toBe('/abs/backups')
  })

  it('the `config init` template loads as is', () => {
    const dir = folder({ 'migr8.yaml': CONFIG_TEMPLATE })
    const config = load(dir)
    expect(config.connection.database).toBe(join(dir, 'migr8.sqlite'))
    expect(config.backups.retention).toEqual({ keep: 10, maxAge: 30 * 86_400_000 })
    expect(config.migrations.lock.timeout).toBe(60_000)
  })
})

describe('finding the config file', () => {
  it('finds migr8.yaml, else migr8.yml, in the working folder', () => {
    const both = folder({
      'migr8.yaml': 'migrations:\n  table: from_yaml\n',
      'migr8.yml': 'migrations:\n  table: from_yml\n',
    })
    expect(load(both).migrations.table).toBe('from_yaml')
    const yml = folder({ 'migr8.yml': 'migrations:\n  table: from_yml\n' })
    expect(load(yml).file).toBe(join(yml, 'migr8.yml'))
  })

  it('reads --config and MIGR8_CONFIG relative to the working folder; a missing one is CONFIG_NOT_FOUND', () => {
    const dir = folder({ 'cfg/other.yaml': 'migrations:\n  table: other\n' })
    expect(load(dir, { file: 'cfg/other.yaml' }).migrations.table).toBe('other')
    expect(load(dir, { env: { MIGR8_CONFIG: 'cfg/other.yaml' } }).migrations.table).toBe('other')
    const missing = errorOf(() => load(dir, { file: 'nope.yaml' }))
    expect(missing.code).toBe('CONFIG_NOT_FOUND')
    expect(missing.message).toContain(join(dir, 'nope.yaml'))
    expect(missing.remedy).toContain('config init')
    const missingEnv = errorOf(() => load(dir, { env: { MIGR8_CONFIG: 'gone.yaml' } }))
    expect(missingEnv.code).toBe('CONFIG_NOT_FOUND')
    expect(missingEnv.remedy).toContain('MIGR8_CONFIG')
  })

  it('reports a folder given as the config file as unreadable', () => {
    const dir = folder({ 'sub/x.txt': '' })
    const error = errorOf(() => load(dir, { file: 'sub' }))
    expect(error.code).toBe('CONFIG_NOT_FOUND')
    expect(error.message).toContain(join(dir, 'sub'))
  })

  it('takes each backup format, and names the choices for an unknown one', () => {
    for (const format of ['plain', 'custom', 'directory'])
      expect(load(folder({ 'migr8.yaml': `backups:\n  format: ${format}\n` })).backups.format).toBe(format)
    const error = errorOf(() => load(folder({ 'migr8.yaml': 'backups:\n  format: tar\n' })))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain('backups.format')
    expect(error.message).toMatch(/plain.*custom.*directory/)
  })

  it('accepts an empty file, a BOM and CRLF line endings', () => {
    expect(load(folder({ 'migr8.yaml': '' })).connection.driver).toBe('sqlite')
    const dir = folder({ 'migr8.yaml': '\uFEFFmigrations:\r\n  table: crlf_table\r\n' })
    expect(load(dir).migrations.table).toBe('crlf_table')
  })
})

describe('precedence: --url > file > environment > defaults', () => {
  it('takes a key from the file over the environment, and from the environment when the file lacks it', () => {
    const dir = folder({ 'migr8.yaml': 'migrations:\n  table: file_table\n' })
    const config = load(dir, {
      env: { MIGR8_MIGRATIONS_TABLE: 'env_table', MIGR8_LOCK_MODE: 'table', MIGR8_BACKUPS_COMPRESS: 'zstd' },
    })
    expect(config.migrations.table).toBe('file_table')
    expect(config.migrations.lock.mode).toBe('table')
    expect(config.backups.compress).toBe('zstd')
  })

  it('reads every MIGR8_* variable (ignoring empty ones) when there is no file', () => {
    const dir = folder()
    const config = load(dir, {
      env: {
        MIGR8_DRIVER: 'postgres',
        MIGR8_HOST: 'envhost',
        MIGR8_PORT: '6000',
        MIGR8_DATABASE: 'envdb',
        MIGR8_USER: 'envuser',
        MIGR8_PASSWORD: 'envpass',
        MIGR8_SCHEMA: 'app',
        MIGR8_SSLMODE: 'require',
        MIGR8_CONNECT_TIMEOUT: '5s',
        MIGR8_STATEMENT_TIMEOUT: '2m',
        MIGR8_MIGRATIONS_DIR: 'db/migrations',
        MIGR8_LOCK_TIMEOUT: '90s',
        MIGR8_OUT_OF_ORDER: 'allow',
        MIGR8_BACKUPS_DIR: 'bk',
        MIGR8_BACKUPS_FORMAT: 'custom',
        MIGR8_SEEDS_DIR: 'sd',
        MIGR8_SSL_CA: '',
      },
    })
    expect(config.connection).toMatchObject({
      driver: 'postgres',
      host: 'envhost',
      port: 6000,
      database: 'envdb',
      user: 'envuser',
      password: 'envpass',
      schema: 'app',
      ssl: { mode: 'require' },
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 120_000,
    })
    expect(config.connection.ssl.ca).toBeUndefined()
    expect(config.migrations).toMatchObject({ dir: join(dir, 'db/migrations'), outOfOrder: 'allow' })
    expect(config.migrations.lock.timeout).toBe(90_000)
    expect(config.backups).toMatchObject({ dir: join(dir, 'bk'), format: 'custom' })
    expect(config.seeds.dir).toBe(join(dir, 'sd'))
  })

  it('takes MIGR8_URL over DATABASE_URL, and a plain millisecond count from the environment', () => {
    const config = load(folder(), {
      env: {
        MIGR8_URL: 'postgres://a@primary/one',
        DATABASE_URL: 'mysql://b@secondary/two',
        MIGR8_CONNECT_TIMEOUT: '2500',
      },
    })
    expect(config.connection).toMatchObject({ driver: 'postgres', host: 'primary', database: 'one', user: 'a' })
    expect(config.connection.connectTimeoutMs).toBe(2_500)
    const fallback = load(folder(), { env: { MIGR8_URL: '', DATABASE_URL: 'mysql://b@secondary/two' } })
    expect(fallback.connection).toMatchObject({ driver: 'mysql', host: 'secondary', database: 'two' })
  })

  it('puts --url above the file and the environment', () => {
    const dir = folder({ 'migr8.yaml': PG_FILE })
    const config = load(dir, {
      url: 'mysql://urluser@urlhost:3307/urldb',
      env: { DATABASE_URL: 'postgres://envuser:envpass@envhost/envdb' },
    })
    expect(config.connection).toMatchObject({
      driver: 'mysql',
      host: 'urlhost',
      port: 3307,
      database: 'urldb',
      user: 'urluser',
    })
    expect(config.connection.password).toBeUndefined()
  })
})

describe('the database location comes whole from one layer', () => {
  it('never mixes the environment URL into a location written in the file', () => {
    const dir = folder({ 'migr8.yaml': PG_FILE })
    const config = load(dir, {
      env: { DATABASE_URL: 'mysql://envuser:envpass@envhost:3310/envdb', MIGR8_PASSWORD: 'envpass2' },
    })
    expect(config.connection).toMatchObject({
      driver: 'postgres',
      host: 'file-host',
      port: 6543,
      database: 'filedb',
      user: 'fileuser',
    })
    expect(config.connection.password).toBeUndefined()
  })

  it('takes the location from the environment when the file only has other settings', () => {
    const dir = folder({ 'migr8.yaml': 'database:\n  schema: app\n  connectTimeout: 3s\nmigrations:\n  table: t\n' })
    const config = load(dir, { env: { DATABASE_URL: 'postgres://u:p@envhost:5555/envdb' } })
    expect(config.connection).toMatchObject({
      driver: 'postgres',
      host: 'envhost',
      port: 5555,
      database: 'envdb',
      user: 'u',
      password: 'p',
      schema: 'app',
      connectTimeoutMs: 3_000,
    })
  })

  it('does not keep the file password or user when --url gives another server', () => {
    const dir = folder({ 'migr8.yaml': `${PG_FILE}  password: filepass\n` })
    const config = load(dir, { url: 'postgres://other-host/otherdb' })
    expect(config.connection).toMatchObject({ host: 'other-host', port: 5432, database: 'otherdb', user: 'postgres' })
    expect(config.connection.password).toBeUndefined()
  })

  it('lets keys written beside a url in the same layer win over the URL parts', () => {
    const dir = folder({
      'migr8.yaml':
        'database:\n  url: postgres://urluser:urlpass@urlhost:5433/urldb?sslmode=require\n  password: ${DB_PASSWORD}\n  port: 7000\n  ssl:\n    mode: verify-full\n',
    })
    const config = load(dir, { env: { DB_PASSWORD: 'p@ss:w/rd' } })
    expect(config.connection).toMatchObject({
      host: 'urlhost',
      port: 7000,
      database: 'urldb',
      user: 'urluser',
      password: 'p@ss:w/rd',
      ssl: { mode: 'verify-full' },
    })
  })

  it("applies a URL's sslmode and schema only with that URL's location", () => {
    const dir = folder({ 'migr8.yaml': PG_FILE })
    const config = load(dir, { env: { DATABASE_URL: 'postgres://u@envhost/envdb?sslmode=disable&schema=envschema' } })
    expect(config.connection.host).toBe('file-host')
    expect(config.connection.ssl.mode).toBe('prefer')
    expect(config.connection.schema).toBeUndefined()
    const own = load(folder(), { env: { DATABASE_URL: 'postgres://u@envhost/envdb?sslmode=disable&schema=envschema' } })
    expect(own.connection).toMatchObject({ host: 'envhost', schema: 'envschema', ssl: { mode: 'disable' } })
  })

  it('asks for database.driver when a layer gives a location without one', () => {
    const error = errorOf(() => load(folder(), { env: { MIGR8_HOST: 'db.internal', MIGR8_DATABASE: 'app' } }))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain('database.driver')
    expect(error.remedy).toContain('postgres, mysql or sqlite')
  })
})

describe('${VAR} expansion', () => {
  const file = [
    'database:',
    '  driver: ${DB_DRIVER:-postgres}',
    '  host: ${DB_HOST}',
    '  port: ${DB_PORT:-5432}',
    '  name: ${DB_NAME:-app}_${STAGE}',
    '  password: "${DB_PASSWORD}"',
    'seeds:',
    '  order:',
    '    - ${FIRST_SEED:-users.csv}',
    '    - orders.csv',
    '',
  ].join('\n')

  it('replaces ${VAR} and ${VAR:-default}, in lists and inside longer strings', () => {
    const dir = folder({ 'migr8.yaml': file })
    const config = load(dir, { env: { DB_HOST: 'h', STAGE: 'prod', DB_PASSWORD: 'pw', DB_NAME: '' } })
    expect(config.connection).toMatchObject({ driver: 'postgres', host: 'h', port: 5432, database: 'app_prod' })
    expect(config.connection.password).toBe('pw')
    expect(config.seeds.order).toEqual(['users.csv', 'orders.csv'])
  })

  it('cannot change the document structure: quotes, colons and newlines stay inside the value', () => {
    const dir = folder({ 'migr8.yaml': file })
    const tricky = 'a: b\n"c": [d]\n# not a comment'
    const config = load(dir, { env: { DB_HOST: 'h', STAGE: 's', DB_PASSWORD: tricky } })
    expect(config.connection.password).toBe(tricky)
  })

  it('names the file, the key and the variable when it is unset, and the remedy offers a default', () => {
    const dir = folder({ 'migr8.yaml': file })
    const error = errorOf(() => load(dir, { env: { DB_HOST: 'h', DB_PASSWORD: 'x' } }))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain(join(dir, 'migr8.yaml'))
    expect(error.message).toContain('database.name')
    expect(error.message).toContain('STAGE')
    expect(error.remedy).toContain('${STAGE:-default}')
    expect(error.details).toMatchObject({ key: 'database.name', variable: 'STAGE' })
  })

  it('does not expand inside comments, and leaves text without ${ alone', () => {
    const dir = folder({ 'migr8.yaml': '# uses ${NOT_SET_ANYWHERE}\nmigrations:\n  table: cost_$5\n' })
    expect(() => load(dir)).toThrow(/migrations.table/)
    const ok = folder({ 'migr8.yaml': '# uses ${NOT_SET_ANYWHERE}\nmigrations:\n  dir: ./m$x\n' })
    expect(load(ok).migrations.dir).toBe(join(ok, 'm$x'))
  })
})

describe('validation', () => {
  it('parses durations written as text, units or plain milliseconds', () => {
    const dir = folder({
      'migr8.yaml':
        'database:\n  driver: sqlite\n  connectTimeout: 1500\n  statementTimeout: 2h\nmigrations:\n  lock:\n    timeout: 500ms\n    lease: 1m\nbackups:\n  retention:\n    maxAge: 7d\n    keep: "3"\n',
    })
    const config = load(dir)
    expect(config.connection.connectTimeoutMs).toBe(1_500)
    expect(config.connection.statementTimeoutMs).toBe(7_200_000)
    expect(config.migrations.lock).toMatchObject({ timeout: 500, lease: 60_000 })
    expect(config.backups.retention).toEqual({ maxAge: 7 * 86_400_000, keep: 3 })
  })

  it('accepts a port written as a quoted number (from ${VAR}) but not a boolean', () => {
    const dir = folder({ 'migr8.yaml': 'database:\n  driver: postgres\n  name: a\n  port: "6432"\n' })
    expect(load(dir).connection.port).toBe(6432)
  })

  it('blames a bad value set by a MIGR8_* variable on that variable, not on the file', () => {
    const dir = folder({ 'migr8.yaml': 'migrations:\n  table: t\n' })
    const error = errorOf(() =>
      load(dir, { env: { MIGR8_DRIVER: 'postgres', MIGR8_DATABASE: 'a', MIGR8_PORT: 'abc' } }),
    )
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain('MIGR8_PORT')
    expect(error.message).toContain('database.port')
    expect(error.message).toContain('"abc"')
    expect(error.message).not.toContain('migr8.yaml')
    expect(error.remedy).toContain('database.port')
    const timeout = errorOf(() => load(dir, { env: { MIGR8_LOCK_TIMEOUT: 'forever' } }))
    expect(timeout.message).toContain('MIGR8_LOCK_TIMEOUT')
    expect(timeout.remedy).toContain('MIGR8_LOCK_TIMEOUT')
  })

  it('names --url and the URL variables when their URL is bad, with the password masked', () => {
    const fromFlag = errorOf(() => load(folder(), { url: 'postgres://u:hunter2@h:70000/db' }))
    expect(fromFlag.code).toBe('CONFIG_INVALID')
    expect(fromFlag.message).toMatch(/^--url: /)
    expect(fromFlag.message).not.toContain('hunter2')
    const fromEnv = errorOf(() => load(folder(), { env: { DATABASE_URL: 'ftp://x/y' } }))
    expect(fromEnv.message).toMatch(/^DATABASE_URL: /)
    const fromMigr8 = errorOf(() => load(folder(), { env: { MIGR8_URL: 'ftp://x/y' } }))
    expect(fromMigr8.message).toMatch(/^MIGR8_URL: /)
  })

  it('loading never creates the database file or any folder', () => {
    const dir = folder({ 'migr8.yaml': 'database:\n  driver: sqlite\n  name: ./deep/db.sqlite\n' })
    load(dir)
    expect(readdirSync(dir)).toEqual(['migr8.yaml'])
  })
})
