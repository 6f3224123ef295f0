/**
 * A password must never leak: migrations and backups run as a user with a password (created here,
 * dropped after), while a sampler reads every process's command line (`/proc/<pid>/cmdline`) and
 * the dump tools' environment. The password must appear in no argv, no output line (human, --json,
 * --verbose, errors), no file left in the project, the backup folder or the temp folder, and no IPC
 * response; the app's profile store keeps it only encrypted.
 *
 * pg_hba is `trust` here, so PostgreSQL would accept any password: the test also checks the tools get
 * it through a 0600 PGPASSFILE (never PGPASSWORD, never argv). MariaDB checks the password for real.
 */
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionConfig } from '../../src-main/config/schema.js'
import { openAdapter } from '../../src-main/db/index.js'
import { makeApi } from '../app/support.js'
import { buildCli, runCli, type CliResult } from '../support/cli.js'
import { SERVER_DEFAULTS, availableDialects, useDatabase } from '../support/databases.js'
import { migrationsDir } from '../support/migrations.js'
import { allCommandLines, figure, listTree, sleep } from './support.js'

const servers = (await availableDialects()).filter((d): d is 'postgres' | 'mysql' => d !== 'sqlite')
// Characters that need escaping in a pgpass line, an option file and a URL.
const PASSWORD = `m8S3cret:${randomBytes(6).toString('hex')}#q"\\z`
const USER = `migr8_secret_${process.pid}`

beforeAll(() => buildCli())

/** Files (below `dir`) whose bytes contain the password. */
function filesHolding(dir: string, needle: string): string[] {
  return listTree(dir).filter((name) => {
    try {
      return readFileSync(join(dir, name)).includes(needle)
    } catch {
      return false
    }
  })
}

describe.each(servers)('%s: the password of a profile never leaks', (dialect) => {
  const db = useDatabase(dialect)
  const admin: { close?: () => Promise<void> } = {}

  afterAll(async () => {
    const adapter = await openAdapter(SERVER_DEFAULTS[dialect])
    try {
      if (dialect === 'postgres') {
        // The role's tables live in the test database: drop them there, then the role.
        const inside = await openAdapter(db.connection)
        await inside.query(`DROP OWNED BY ${inside.quoteIdent(USER)}`).catch(() => undefined)
        await inside.close()
        await adapter.query(`ALTER DATABASE ${adapter.quoteIdent(db.connection.database)} OWNER TO postgres`)
        await adapter.query(`DROP ROLE IF EXISTS ${adapter.quoteIdent(USER)}`)
      } else {
        await adapter.query(`DROP USER IF EXISTS '${USER}'@'%'`)
      }
    } finally {
      await adapter.close()
      await admin.close?.()
    }
  })

  it('not in argv, output, files, temp files or IPC responses; tools get it from a private file', async () => {
    const setup = await openAdapter(SERVER_DEFAULTS[dialect])
    const literal = PASSWORD.replace(/\\/g, '\\\\').replace(/'/g, "''")
    if (dialect === 'postgres') {
      await setup.query(`CREATE ROLE ${setup.quoteIdent(USER)} LOGIN PASSWORD '${PASSWORD.replace(/'/g, "''")}'`)
      await setup.query(`ALTER DATABASE ${setup.quoteIdent(db.connection.database)} OWNER TO ${setup.quoteIdent(USER)}`)
    } else {
      await setup.query(`CREATE USER '${USER}'@'%' IDENTIFIED BY '${literal}'`)
      await setup.query(`GRANT ALL ON ${setup.quoteIdent(db.connection.database)}.* TO '${USER}'@'%'`)
    }
    await setup.close()
    const connection: ConnectionConfig = { ...db.connection, user: USER, password: PASSWORD }

    const { dir } = migrationsDir({
      '001_t.up.sql': 'CREATE TABLE secret_t (id integer);\nINSERT INTO secret_t VALUES (1);\n',
      '002_bad.up.sql': 'CREATE TABLE secret_u (id integer);\nSELECT * FROM missing_table_for_an_error;\n',
    })
    const cwd = migrationsDir().dir
    const yaml = [
      'database:',
      `  driver: ${dialect}`,
      `  host: ${connection.host}`,
      `  port: ${connection.port}`,
      `  name: ${connection.database}`,
      `  user: ${USER}`,
      '  password: ${M8_TEST_SECRET}',
      '  ssl:',
      '    mode: disable',
      'migrations:',
      `  dir: ${dir}`,
      'backups:',
      '  dir: backups',
      '',
    ].join('\n')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(cwd, 'migr8.yaml'), yaml)
    const env = { M8_TEST_SECRET: PASSWORD }
    const tempBefore = new Set(readdirSync(tmpdir()))

    // The sampler: every process's argv, and the dump tools' environment, every few ms.
    let sampling = true
    let samples = 0
    const argvLeaks: string[] = []
    const toolEnvs: Array<{ tool: string; passfile?: string; pgpassword: boolean; passfileMode?: number }> = []
    const sampler = (async () => {
      while (sampling) {
        for (const { pid, cmdline } of allCommandLines()) {
          if (cmdline.includes(PASSWORD)) argvLeaks.push(`${pid}: ${cmdline.slice(0, 200)}`)
          if (/(^|\/)(pg_dump|pg_restore|psql|mariadb-dump|mariadb|mysqldump|mysql) /.test(cmdline)) {
            try {
              const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0')
              const passfile = environ.find((e) => e.startsWith('PGPASSFILE='))?.slice('PGPASSFILE='.length)
              const mode = passfile ? statSync(passfile).mode & 0o777 : undefined
              toolEnvs.push({
                tool: cmdline.split(' ')[0],
                passfile,
                pgpassword: environ.some((e) => e.startsWith('PGPASSWORD=') || e.startsWith('MYSQL_PWD=')),
                passfileMode: mode,
              })
              if (environ.some((e) => e.includes(PASSWORD) && !e.startsWith('M8_TEST_SECRET=')))
                argvLeaks.push(`${pid}: environment holds the password`)
            } catch {
              // exited meanwhile
            }
          }
        }
        samples++
        await sleep(2)
      }
    })()

    const runs: Array<[string, CliResult]> = []
    const cli = async (...args: string[]) => {
      const result = await runCli(args, { cwd, env, timeoutMs: 120_000 })
      runs.push([args.join(' '), result])
      return result
    }
    try {
      expect((await cli('--verbose', 'config', 'test')).code).toBe(0)
      await cli('--verbose', 'config', 'show')
      await cli('--json', 'config', 'show')
      const failed = await cli('--verbose', 'migrate', 'up')
      expect(failed.code).toBe(1) // 002 fails on purpose: its error output is checked too
      await cli('--json', 'migrate', 'up')
      await cli('--verbose', 'migrate', 'status')
      const backup = await cli('--json', '--verbose', 'backup', 'create', '--compress', 'gzip')
      expect(backup.code, backup.stdout + backup.stderr).toBe(0)
      const id = (JSON.parse(backup.stdout) as { id: string }).id
      expect((await cli('--verbose', 'backup', 'verify', id)).code).toBe(0)
      const restored = await cli('--verbose', 'backup', 'restore', id, '--target-db', `${db.connection.database}_r`)
      // Restoring into a new database needs CREATE DATABASE, which this user lacks: a typed refusal, not a leak.
      runs.push(['restore code', { ...restored, stdout: String(restored.code), stderr: '' }])
      await cli(
        '--verbose',
        '--url',
        `${dialect}://${USER}:wrong-password@127.0.0.1:1/${db.connection.database}`,
        'config',
        'test',
      )
    } finally {
      sampling = false
      await sampler
    }

    const outputLeaks = runs.filter(([, r]) => (r.stdout + r.stderr).includes(PASSWORD)).map(([args]) => args)
    const fileLeaks = filesHolding(cwd, PASSWORD)
    const newTemp = readdirSync(tmpdir()).filter((name) => !tempBefore.has(name))
    const tempLeaks = newTemp.flatMap((name) => {
      const path = join(tmpdir(), name)
      try {
        return statSync(path).isDirectory()
          ? filesHolding(path, PASSWORD).map((f) => `${name}/${f}`)
          : readFileSync(path).includes(PASSWORD)
            ? [name]
            : []
      } catch {
        return []
      }
    })
    // The secret files the tools used are gone once they finished. Other test files running in
    // parallel make their own (password-less) option files, so only ours, holding PASSWORD, count.
    const leftoverSecretDirs = newTemp.filter((name) => {
      if (!/^migr8-(pgpass|my)-/.test(name)) return false
      try {
        return filesHolding(join(tmpdir(), name), PASSWORD).length > 0
      } catch {
        return false
      }
    })

    // IPC: save a profile with this password, read it back every way the window can.
    const api = await makeApi()
    const responses: unknown[] = []
    const saved = await api.dispatch('profiles.save', {
      name: 'secret',
      driver: dialect,
      host: connection.host,
      port: connection.port,
      database: connection.database,
      user: USER,
      ssl: { mode: 'disable' },
      passwordMode: 'stored',
      password: PASSWORD,
    })
    responses.push(saved)
    expect(saved.ok).toBe(true)
    const id = saved.ok ? (saved.value as { id: string }).id : ''
    for (const [channel, input] of [
      ['profiles.list', undefined],
      ['profiles.get', { id }],
      ['profiles.export', {}],
      ['profiles.test', { id }],
      ['migrations.status', { profileId: id }],
      ['app.info', undefined],
    ] as const)
      responses.push(await api.dispatch(channel, input))
    const ipcLeaks = responses.filter((r) => JSON.stringify(r).includes(PASSWORD)).length
    const storeLeaks = filesHolding(api.dir, PASSWORD)

    figure(`secrets ${dialect}`, {
      cliRuns: runs.length,
      argvSamples: samples,
      toolProcessSamples: toolEnvs.length,
      argvLeaks: argvLeaks.length,
      outputLeaks: outputLeaks.length,
      fileLeaks: fileLeaks.length + tempLeaks.length,
      leftoverSecretFiles: leftoverSecretDirs.length,
      ipcResponses: responses.length,
      ipcLeaks,
      storeLeaks: storeLeaks.length,
    })
    expect(argvLeaks).toEqual([])
    expect(outputLeaks).toEqual([])
    expect(fileLeaks).toEqual([])
    expect(tempLeaks).toEqual([])
    expect(leftoverSecretDirs).toEqual([])
    expect(ipcLeaks).toBe(0)
    expect(storeLeaks).toEqual([])
    expect(toolEnvs.every((e) => !e.pgpassword)).toBe(true)
    if (dialect === 'postgres') {
      const pgTools = toolEnvs.filter((e) => /pg_dump|pg_restore|psql/.test(e.tool) && e.passfile)
      expect(pgTools.length, 'no pg tool was caught running with a PGPASSFILE').toBeGreaterThan(0)
      expect(pgTools.every((e) => e.passfileMode === undefined || e.passfileMode === 0o600)).toBe(true)
    }
  }, 300_000)
})
