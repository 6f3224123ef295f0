/**
 * The CLI as a user runs it: `node bin/migr8.mjs …` in a folder holding migr8.yaml and migrations,
 * against SQLite. Exit codes: 0 ok, 1 failure, 2 bad usage; `--json` prints one JSON document.
 */
import Database from 'better-sqlite3'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONFIG_TEMPLATE } from '../../src-main/config/template.js'
import { buildCli, REPO_ROOT, runCli, type CliResult } from '../support/cli.js'

const temps: string[] = []
beforeAll(() => buildCli())
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** The environment of every run: none of the machine's MIGR8_* / DATABASE_URL settings leak in. */
const CLEAN_ENV: NodeJS.ProcessEnv = {
  MIGR8_CONFIG: '',
  MIGR8_URL: '',
  DATABASE_URL: '',
  MIGR8_PASSWORD: '',
  MIGR8_DRIVER: '',
  MIGR8_HOST: '',
  MIGR8_PORT: '',
  MIGR8_DATABASE: '',
}

const MIGRATIONS: Record<string, string> = {
  '001_users.up.sql': 'CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);\n',
  '001_users.down.sql': 'DROP TABLE users;\n',
  '002_posts.sql':
    '-- migrate:up\nCREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id));\n\n-- migrate:down\nDROP TABLE posts;\n',
}

/** A project folder: migr8.yaml (SQLite ./app.sqlite, ./migrations) and the given migrations. */
function project(migrations: Record<string, string> = MIGRATIONS, yaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'migr8-cli-'))
  temps.push(dir)
  writeFileSync(
    join(dir, 'migr8.yaml'),
    yaml ?? 'database:\n  driver: sqlite\n  name: ./app.sqlite\nmigrations:\n  dir: ./migrations\n',
  )
  mkdirSync(join(dir, 'migrations'))
  for (const [name, text] of Object.entries(migrations)) writeFileSync(join(dir, 'migrations', name), text)
  return dir
}

function empty(): string {
  const dir = mkdtempSync(join(tmpdir(), 'migr8-cli-empty-'))
  temps.push(dir)
  return dir
}

function migr8(cwd: string, ...args: string[]): Promise<CliResult> {
  return runCli(args, { cwd, env: CLEAN_ENV })
}

/** `--json` output: exactly one JSON document on stdout. */
function json<T = Record<string, unknown>>(result: CliResult): T {
  return JSON.parse(result.stdout) as T
}

interface ErrorDocument {
  error: { code: string; message: string; remedy: string }
}

/** Tables in the project's SQLite file, Migr8's own (migr8_*) left out. */
function userTables(dir: string): string[] {
  const file = join(dir, 'app.sqlite')
  if (!existsSync(file)) return []
  const db = new Database(file, { readonly: true })
  try {
    return db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'migr8%' AND name NOT LIKE 'sqlite%'",
      )
      .all()
      .map((row) => (row as { name: string }).name)
      .sort()
  } finally {
    db.close()
  }
}

/** A local TCP port nobody listens on (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

function expectHumanError(result: CliResult, code: string): void {
  expect(result.stderr).toContain(`error [${code}]: `)
  expect(result.stderr).toMatch(/\n {2}remedy: \S.+\n/)
}

describe('migr8 version', () => {
  it('prints the package version and exits 0', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
    const result = await migr8(empty(), 'version')
    expect(result.code).toBe(0)
    expect(result.stdout).toBe(`migr8 ${version} (node ${process.versions.node})\n`)
    const asJson = await migr8(empty(), '--json', 'version')
    expect(asJson.code).toBe(0)
    expect(json(asJson)).toEqual({ version, node: process.versions.node })
  })

  it('works where the config is broken, as it never loads it', async () => {
    const dir = project({}, 'database:\n  driver: oracle\n')
    expect((await migr8(dir, 'version')).code).toBe(0)
  })
})

describe('migr8 migrate', () => {
  it('--json migrate status lists every migration as pending before anything runs', async () => {
    const dir = project()
    const result = await migr8(dir, '--json', 'migrate', 'status')
    expect(result.code).toBe(0)
    const status = json<{ entries: Array<Record<string, unknown>>; pending: number; problems: string[] }>(result)
    expect(status.pending).toBe(2)
    expect(status.problems).toEqual([])
    expect(status.entries).toEqual([
      {
        version: '001',
        name: 'users',
        state: 'pending',
        hasDown: true,
        file: join(dir, 'migrations', '001_users.up.sql'),
        checksum: { current: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
      },
      {
        version: '002',
        name: 'posts',
        state: 'pending',
        hasDown: true,
        file: join(dir, 'migrations', '002_posts.sql'),
        checksum: { current: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
      },
    ])
  })

  it('migrate up applies everything, then status reports it applied; a second up has nothing to do', async () => {
    const dir = project()
    const up = await migr8(dir, 'migrate', 'up')
    expect(up.code).toBe(0)
    expect(up.stdout).toMatch(/applied +001_users/)
    expect(up.stdout).toMatch(/applied +002_posts/)
    expect(up.stdout).toContain('current version: 002')
    expect(userTables(dir)).toEqual(['posts', 'users'])

    const status = await migr8(dir, 'migrate', 'status')
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(/001 +users +applied/)
    expect(status.stdout).toContain('current version: 002; pending: 0')

    const asJson = await migr8(dir, '--json', 'migrate', 'status')
    const document = json<{ current: string; pending: number; entries: Array<{ state: string; appliedAt: string }> }>(
      asJson,
    )
    expect(document.current).toBe('002')
    expect(document.pending).toBe(0)
    expect(document.entries.map((e) => e.state)).toEqual(['applied', 'applied'])
    expect(Number.isNaN(Date.parse(document.entries[0].appliedAt))).toBe(false)

    const again = await migr8(dir, 'migrate', 'up')
    expect(again.code).toBe(0)
    expect(again.stdout).toContain('Nothing to apply')
  })

  it('migrate up --json prints the steps as one document; down --all rolls everything back', async () => {
    const dir = project()
    const up = await migr8(dir, '--json', 'migrate', 'up', '--step', '1')
    expect(up.code).toBe(0)
    expect(json<{ steps: Array<{ version: string; direction: string }>; current: string }>(up)).toMatchObject({
      steps: [{ version: '001', name: 'users', direction: 'up' }],
      current: '001',
    })
    expect(userTables(dir)).toEqual(['users'])
    const down = await migr8(dir, 'migrate', 'down', '--all')
    expect(down.code).toBe(0)
    expect(down.stdout).toMatch(/rolled back 001_users/)
    expect(userTables(dir)).toEqual([])
  })

  it('migrate up --dry-run prints the SQL and applies nothing', async () => {
    const dir = project()
    const result = await migr8(dir, 'migrate', 'up', '--dry-run')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);')
    expect(result.stdout).toContain('CREATE TABLE posts')
    expect(result.stdout).not.toContain('DROP TABLE')
    expect(userTables(dir)).toEqual([])
    const status = json<{ pending: number }>(await migr8(dir, '--json', 'migrate', 'status'))
    expect(status.pending).toBe(2)

    const asJson = await migr8(dir, '--json', 'migrate', 'up', '--dry-run')
    expect(asJson.code).toBe(0)
    expect(json<{ steps: unknown[]; dryRunSql: string }>(asJson)).toMatchObject({
      steps: [],
      dryRunSql: expect.stringContaining('CREATE TABLE users'),
    })
    expect(userTables(dir)).toEqual([])
  })

  it('a failing migration exits 1 with error [MIGRATION_FAILED] and a remedy, keeping earlier ones', async () => {
    const dir = project({ ...MIGRATIONS, '003_broken.up.sql': 'CREATE TABLE broken (;\n' })
    const result = await migr8(dir, 'migrate', 'up')
    expect(result.code).toBe(1)
    expectHumanError(result, 'MIGRATION_FAILED')
    expect(result.stderr).toContain('003_broken')
    expect(result.stderr).toContain('003_broken.up.sql:1')
    expect(userTables(dir)).toEqual(['posts', 'users'])

    const asJson = await migr8(dir, '--json', 'migrate', 'up')
    expect(asJson.code).toBe(1)
    const { error } = json<ErrorDocument>(asJson)
    expect(error.code).toBe('MIGRATION_FAILED')
    expect(error.message).toContain('003_broken')
    expect(error.remedy.length).toBeGreaterThan(0)
    expect(userTables(dir)).toEqual(['posts', 'users'])
  })

  it('an unreadable migrations folder exits 1 with MIGRATION_FILE_INVALID naming the file', async () => {
    const dir = project({ ...MIGRATIONS, 'add_stuff.sql': 'SELECT 1;' })
    const result = await migr8(dir, 'migrate', 'up')
    expect(result.code).toBe(1)
    expectHumanError(result, 'MIGRATION_FILE_INVALID')
    expect(result.stderr).toContain('add_stuff.sql')
    expect(userTables(dir)).toEqual([])
  })

  it('a bad config exits 1 with CONFIG_INVALID naming the file and key', async () => {
    const dir = project(MIGRATIONS, 'database:\n  driver: postgres\n  name: app\n  port: 99999\n')
    const result = await migr8(dir, 'migrate', 'status')
    expect(result.code).toBe(1)
    expectHumanError(result, 'CONFIG_INVALID')
    expect(result.stderr).toContain(join(dir, 'migr8.yaml'))
    expect(result.stderr).toContain('database.port')
    const asJson = await migr8(dir, '--json', 'migrate', 'status')
    expect(asJson.code).toBe(1)
    expect(json<ErrorDocument>(asJson).error).toMatchObject({ code: 'CONFIG_INVALID' })
  })
})

describe('bad usage exits 2', () => {
  it.each([
    [['frobnicate'], 'unknown command'],
    [['migrate', 'sideways'], 'unknown command'],
    [['migrate', 'up', '--step', 'abc'], 'expected a whole number'],
    [['migrate', 'up', '--step', '0'], 'expected a whole number'],
    [['migrate', 'up', '--out-of-order', 'sometimes'], 'sometimes'],
    [['migrate', 'up', '--no-such-flag'], 'unknown option'],
    [['migrate', 'goto'], 'missing required argument'],
    [['migrate', 'create', 'x', '--format', 'flyway'], 'flyway'],
  ])('migr8 %j', async (args, text) => {
    const dir = project()
    const result = await migr8(dir, ...args)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain(text)
    expect(userTables(dir)).toEqual([])
    expect(readdirSync(join(dir, 'migrations')).sort()).toEqual(Object.keys(MIGRATIONS).sort())
  })

  it('migrate repair without flags is BAD_USAGE with a remedy, also under --json', async () => {
    const dir = project()
    const result = await migr8(dir, 'migrate', 'repair')
    expect(result.code).toBe(2)
    expectHumanError(result, 'BAD_USAGE')
    expect(result.stderr).toContain('--mark-applied')
    const asJson = await migr8(dir, '--json', 'migrate', 'repair')
    expect(asJson.code).toBe(2)
    expect(json<ErrorDocument>(asJson).error).toMatchObject({ code: 'BAD_USAGE', remedy: expect.any(String) })
  })

  it('--wait with something that is not a duration is BAD_USAGE', async () => {
    const result = await migr8(project(), '--wait', 'soon', 'migrate', 'status')
    expect(result.code).toBe(2)
    expectHumanError(result, 'BAD_USAGE')
  })

  it('help is not an error', async () => {
    const result = await migr8(empty(), '--help')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('migrate')
  })
})

describe('migr8 config', () => {
  it('config init writes the commented migr8.yaml and refuses to overwrite it without --force', async () => {
    const dir = empty()
    const first = await migr8(dir, 'config', 'init')
    expect(first.code).toBe(0)
    expect(first.stdout).toContain(join(dir, 'migr8.yaml'))
    expect(readFileSync(join(dir, 'migr8.yaml'), 'utf8')).toBe(CONFIG_TEMPLATE)

    writeFileSync(join(dir, 'migr8.yaml'), '# mine\n')
    const second = await migr8(dir, 'config', 'init')
    expect(second.code).toBe(2)
    expectHumanError(second, 'BAD_USAGE')
    expect(second.stderr).toContain('already exists')
    expect(second.stderr).toContain('--force')
    expect(readFileSync(join(dir, 'migr8.yaml'), 'utf8')).toBe('# mine\n')

    const forced = await migr8(dir, '--json', 'config', 'init', '--force')
    expect(forced.code).toBe(0)
    expect(json(forced)).toEqual({ file: join(dir, 'migr8.yaml') })
    expect(readFileSync(join(dir, 'migr8.yaml'), 'utf8')).toBe(CONFIG_TEMPLATE)

    // The file it writes is valid as is.
    const show = await migr8(dir, 'config', 'show')
    expect(show.code).toBe(0)
  })

  it('config show resolves the file, and says so when there is none', async () => {
    const dir = project()
    const result = await migr8(dir, 'config', 'show')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`config file:  ${join(dir, 'migr8.yaml')}`)
    expect(result.stdout).toContain(`database:     sqlite:${join(dir, 'app.sqlite')}`)
    expect(result.stdout).toContain(`migrations:   ${join(dir, 'migrations')}`)
    const none = await migr8(empty(), 'config', 'show')
    expect(none.code).toBe(0)
    expect(none.stdout).toContain('(none: environment and defaults)')
  })

  const SECRETS = ['S3cr3t-Pw', 'p@ss', 'p%40ss', 'fromEnvPw', 'fromFilePw']

  function expectNoSecret(result: CliResult): void {
    for (const secret of SECRETS) {
      expect(result.stdout).not.toContain(secret)
      expect(result.stderr).not.toContain(secret)
    }
  }

  it('config show never prints the password of --url, plain or --json', async () => {
    const dir = project()
    for (const url of ['postgres://alice:S3cr3t-Pw@db.example:6432/app', 'mysql://alice:p@ss@db.example/app']) {
      const plain = await migr8(dir, '--url', url, 'config', 'show')
      expect(plain.code).toBe(0)
      expect(plain.stdout).toMatch(/database: +(postgres|mysql):\/\/alice:\*\*\*\*@db\.example:\d+\/app/)
      expectNoSecret(plain)
      const asJson = await migr8(dir, '--json', '--url', url, 'config', 'show')
      expect(asJson.code).toBe(0)
      const document = json<{ connection: { password: string; user: string }; url: string }>(asJson)
      expect(document.connection).toMatchObject({ user: 'alice', password: '****' })
      expect(document.url).toContain('alice:****@')
      expectNoSecret(asJson)
    }
  })

  it('config show never prints a password from the environment or from ${VAR} in the file', async () => {
    const dir = project(
      {},
      'database:\n  driver: postgres\n  host: db.example\n  name: app\n  user: bob\n  password: ${APP_DB_PASSWORD}\n',
    )
    const plain = await runCli(['config', 'show'], {
      cwd: dir,
      env: { ...CLEAN_ENV, APP_DB_PASSWORD: 'fromFilePw' },
    })
    expect(plain.code).toBe(0)
    expect(plain.stdout).toContain('bob:****@db.example')
    expectNoSecret(plain)
    const fromEnv = await runCli(['--json', 'config', 'show'], {
      cwd: empty(),
      env: { ...CLEAN_ENV, DATABASE_URL: 'postgres://carol:fromEnvPw@db.example/app' },
    })
    expect(fromEnv.code).toBe(0)
    expect(json<{ connection: { password: string } }>(fromEnv).connection.password).toBe('****')
    expectNoSecret(fromEnv)
  })

  it('a bad --url is CONFIG_INVALID naming --url, without the password', async () => {
    const result = await migr8(empty(), '--url', 'postgres://alice:S3cr3t-Pw@db:99999/app', 'config', 'show')
    expect(result.code).toBe(1)
    expectHumanError(result, 'CONFIG_INVALID')
    expect(result.stderr).toContain('--url')
    expectNoSecret(result)
  })

  it('config test connects to SQLite and reports the version', async () => {
    const dir = project()
    const result = await migr8(dir, 'config', 'test')
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`testing sqlite:${join(dir, 'app.sqlite')}`)
    expect(result.stdout).toMatch(/connected: SQLite \d/)
    const asJson = await migr8(dir, '--json', 'config', 'test')
    expect(json<{ ok: boolean; version: string }>(asJson)).toMatchObject({ ok: true, version: expect.any(String) })
  })

  it('config test on a port nobody listens on is HOST_UNREACHABLE, exit 1', async () => {
    const port = await freePort()
    const url = `postgres://postgres:S3cr3t-Pw@127.0.0.1:${port}/app?sslmode=disable`
    const result = await migr8(empty(), '--url', url, 'config', 'test')
    expect(result.code).toBe(1)
    expectHumanError(result, 'HOST_UNREACHABLE')
    expect(result.stderr).toContain(String(port))
    expectNoSecret(result)
    const asJson = await migr8(empty(), '--json', '--url', url, 'config', 'test')
    expect(asJson.code).toBe(1)
    expect(json<ErrorDocument>(asJson).error).toMatchObject({ code: 'HOST_UNREACHABLE', remedy: expect.any(String) })
  })

  it('--wait 1s against a port nobody listens on gives up with HOST_UNREACHABLE', async () => {
    const port = await freePort()
    const result = await migr8(
      empty(),
      '--wait',
      '1s',
      '--url',
      `mysql://root@127.0.0.1:${port}/app?ssl-mode=DISABLED`,
      'config',
      'test',
    )
    expect(result.code).toBe(1)
    expectHumanError(result, 'HOST_UNREACHABLE')
  })
})

describe('migr8 migrate create', () => {
  it('writes a golang-migrate pair by default, and a dbmate file with --format dbmate', async () => {
    const dir = project({})
    const pair = await migr8(dir, 'migrate', 'create', 'Add users')
    expect(pair.code).toBe(0)
    const files = readdirSync(join(dir, 'migrations')).sort()
    expect(files).toHaveLength(2)
    expect(files[0]).toMatch(/^\d{14}_add_users\.down\.sql$/)
    expect(files[1]).toMatch(/^\d{14}_add_users\.up\.sql$/)
    expect(pair.stdout).toContain(`created ${join(dir, 'migrations', files[1])}`)

    const single = await migr8(dir, '--json', 'migrate', 'create', 'add_orders', '--format', 'dbmate')
    expect(single.code).toBe(0)
    const { files: created } = json<{ files: string[] }>(single)
    expect(created).toHaveLength(1)
    expect(created[0]).toMatch(/\d{14}_add_orders\.sql$/)
    expect(readFileSync(created[0], 'utf8')).toContain('-- migrate:up')

    // Both are read back as two distinct pending migrations, even when created within one second.
    const status = json<{ pending: number; entries: Array<{ name: string }> }>(
      await migr8(dir, '--json', 'migrate', 'status'),
    )
    expect(status.entries.map((e) => e.name)).toEqual(['add_users', 'add_orders'])
  })

  it('--sequential numbers 000001, 000002 and follows migrations.create in migr8.yaml', async () => {
    const dir = project(
      {},
      'database:\n  driver: sqlite\n  name: ./app.sqlite\nmigrations:\n  dir: ./db/migrations\n  create:\n    format: dbmate\n',
    )
    expect((await migr8(dir, 'migrate', 'create', 'first', '--sequential')).code).toBe(0)
    expect((await migr8(dir, 'migrate', 'create', 'second', '--sequential', '--format', 'golang-migrate')).code).toBe(0)
    expect(readdirSync(join(dir, 'db', 'migrations')).sort()).toEqual([
      '000001_first.sql',
      '000002_second.down.sql',
      '000002_second.up.sql',
    ])
  })

  it('a name without letters or digits is bad usage', async () => {
    const dir = project({})
    const result = await migr8(dir, 'migrate', 'create', '!!!')
    expect(result.code).toBe(2)
    expectHumanError(result, 'BAD_USAGE')
    expect(readdirSync(join(dir, 'migrations'))).toEqual([])
  })
})
