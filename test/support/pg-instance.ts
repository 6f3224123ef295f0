/**
 * A private, throwaway PostgreSQL 15 instance for tests that must stop and start a server: its own data
 * folder (owned by the postgres OS user, so the tests need root), a free port on 127.0.0.1, trust auth,
 * fsync off. The shared servers on 5432/3306 are never touched. Missing binaries or no root skip the
 * caller with a reason, unless MIGR8_REQUIRE_DBS=1.
 */
import { execFile, execFileSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

export const PG_BIN = '/usr/lib/postgresql/15/bin'
const run = promisify(execFile)

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Why a private instance cannot be started here, or undefined (throws instead under MIGR8_REQUIRE_DBS=1). */
export function pgInstanceUnavailable(what: string): string | undefined {
  const absent = [`${PG_BIN}/initdb`, `${PG_BIN}/pg_ctl`, `${PG_BIN}/psql`, '/usr/sbin/runuser'].filter(
    (path) => !existsSync(path),
  )
  let reason: string | undefined
  if (absent.length > 0) reason = `${what} needs ${absent.join(', ')} (apt-get install postgresql-15)`
  else if (process.getuid?.() !== 0) reason = `${what} runs initdb as the postgres OS user, so needs root`
  if (!reason) return undefined
  if (process.env.MIGR8_REQUIRE_DBS === '1') throw new Error(`MIGR8_REQUIRE_DBS=1 but ${reason}`)
  console.warn(`SKIPPED ${what}: ${reason}`)
  return reason
}

export interface PgInstance {
  port: number
  /** Holds data/, the server log and the Unix socket. */
  dir: string
  url(database: string): string
  /** `pg_ctl start -w`: returns once the server accepts connections. */
  start(): Promise<void>
  /** `pg_ctl stop -w` (default mode immediate: no checkpoint, every backend killed at once). */
  stop(mode?: 'immediate' | 'fast' | 'smart'): Promise<void>
  running(): Promise<boolean>
  /** One statement through psql over the socket, as postgres; rows as `|`-separated lines. */
  psql(sql: string, database?: string): Promise<string>
  log(): string
  /** Stops the server (if running) and deletes the folder. */
  destroy(): Promise<void>
}

/** initdb + start of a fresh PostgreSQL 15 cluster; `settings` are extra `-c name=value` server options. */
export async function startPgInstance(settings: string[] = []): Promise<PgInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'migr8-pginst-'))
  const data = join(dir, 'data')
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
  chmodSync(dir, 0o755)
  mkdirSync(data)
  chownSync(data, uid, gid)
  chownSync(dir, uid, gid)
  const asPostgres = (args: string[]) => run('runuser', ['-u', 'postgres', '--', ...args], { cwd: dir })
  const port = await freePort()
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1'",
    '-c fsync=off',
    ...settings.map((s) => `-c ${s}`),
  ].join(' ')
  const logFile = join(dir, 'log')
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '')
  const pgCtl = (args: string[]) => asPostgres([`${PG_BIN}/pg_ctl`, '-D', data, ...args])
  const instance: PgInstance = {
    port,
    dir,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: async () => {
      await pgCtl(['-o', options, '-l', logFile, '-w', '-t', '30', 'start'])
    },
    stop: async (mode = 'immediate') => {
      await pgCtl(['-m', mode, '-w', '-t', '30', 'stop'])
    },
    running: async () =>
      pgCtl(['status']).then(
        () => true,
        () => false,
      ),
    psql: async (sql, database = 'postgres') => {
      const { stdout } = await asPostgres([
        `${PG_BIN}/psql`,
        '-X',
        '-q',
        '-At',
        '-v',
        'ON_ERROR_STOP=1',
        '-h',
        dir,
        '-p',
        String(port),
        '-U',
        'postgres',
        '-d',
        database,
        '-c',
        sql,
      ])
      return stdout.trim()
    },
    log,
    destroy: async () => {
      try {
        if (await instance.running()) await instance.stop('immediate')
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
  try {
    await asPostgres([`${PG_BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'])
    writeFileSync(join(data, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.0/8 trust\n')
    await instance.start()
  } catch (error) {
    const text = log()
    await instance.destroy().catch(() => undefined)
    throw new Error(`${(error as Error).message}\n${text}`)
  }
  return instance
}
