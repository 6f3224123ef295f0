import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ConnectionConfig } from '../config/schema.js'

/**
 * Credentials for the external tools, never on a command line (visible to every user in `ps`):
 * PostgreSQL tools get a temporary PGPASSFILE, MySQL tools a temporary `--defaults-extra-file`,
 * both mode 0600 in a 0700 folder, removed by `dispose()` whatever happened.
 */
export interface ToolCredentials {
  /** Environment for the child process. */
  env: NodeJS.ProcessEnv
  /** Arguments that must come first (MySQL: `--defaults-extra-file=…`). */
  leadingArgs: string[]
  dispose(): void
}

function privateFile(prefix: string, name: string, content: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const file = join(dir, name)
  writeFileSync(file, content, { mode: 0o600, flag: 'wx' })
  return { dir, file }
}

function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true })
}

/** `host:port:db:user:password` with `:` and `\` escaped as libpq expects. */
function pgpassLine(connection: ConnectionConfig, password: string): string {
  const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/:/g, '\\:')
  return `*:*:*:${escape(connection.user)}:${escape(password)}\n`
}

const PG_SSLMODE: Record<ConnectionConfig['ssl']['mode'], string> = {
  disable: 'disable',
  prefer: 'prefer',
  require: 'require',
  'verify-ca': 'verify-ca',
  'verify-full': 'verify-full',
}

/** libpq environment for pg_dump / pg_restore / psql; `database` overrides the connection's. */
export function postgresCredentials(connection: ConnectionConfig, database = connection.database): ToolCredentials {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Through an SSH tunnel libpq connects to the forwarded address but checks the certificate
    // (verify-full) against the database's real name.
    PGHOST: connection.tlsServername ?? connection.host,
    ...(connection.tlsServername ? { PGHOSTADDR: connection.host } : {}),
    PGPORT: String(connection.port),
    PGUSER: connection.user,
    PGDATABASE: database,
    PGSSLMODE: PG_SSLMODE[connection.ssl.mode],
    PGCONNECT_TIMEOUT: String(Math.max(2, Math.ceil(connection.connectTimeoutMs / 1000))),
    PGAPPNAME: 'migr8',
  }
  delete env.PGPASSWORD
  delete env.PGSERVICE
  if (!connection.tlsServername) delete env.PGHOSTADDR
  if (connection.ssl.ca) env.PGSSLROOTCERT = connection.ssl.ca
  if (connection.ssl.cert) env.PGSSLCERT = connection.ssl.cert
  if (connection.ssl.key) env.PGSSLKEY = connection.ssl.key
  let dir: string | undefined
  if (connection.password) {
    const written = privateFile('migr8-pgpass-', 'pgpass', pgpassLine(connection, connection.password))
    dir = written.dir
    env.PGPASSFILE = written.file
  }
  return { env, leadingArgs: [], dispose: () => removeDir(dir) }
}

/** An option-file value, double-quoted with `\` and `"` escaped. */
function optionValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`
}

/**
 * `[client]` option file for mariadb-dump / mysqldump / mariadb / mysql. Holds the host, user and
 * password so that nothing secret (and nothing the server could misread) is on the command line.
 */
export function mysqlCredentials(connection: ConnectionConfig, flavour: 'mariadb' | 'mysql'): ToolCredentials {
  const lines = [
    '[client]',
    `host=${optionValue(connection.host)}`,
    `port=${connection.port}`,
    `user=${optionValue(connection.user)}`,
    'protocol=TCP',
  ]
  if (connection.password !== undefined && connection.password !== '')
    lines.push(`password=${optionValue(connection.password)}`)
  const mode = connection.ssl.mode
  if (flavour === 'mysql') {
    const sslMode = {
      disable: 'DISABLED',
      prefer: 'PREFERRED',
      require: 'REQUIRED',
      'verify-ca': 'VERIFY_CA',
      'verify-full': 'VERIFY_IDENTITY',
    }[mode]
    lines.push(`ssl-mode=${sslMode}`)
  } else if (mode === 'disable') {
    lines.push('skip-ssl')
  } else if (mode === 'require') {
    lines.push('ssl')
  } else if (mode === 'verify-ca' || mode === 'verify-full') {
    lines.push('ssl', 'ssl-verify-server-cert')
  }
  if (connection.ssl.ca) lines.push(`ssl-ca=${optionValue(connection.ssl.ca)}`)
  if (connection.ssl.cert) lines.push(`ssl-cert=${optionValue(connection.ssl.cert)}`)
  if (connection.ssl.key) lines.push(`ssl-key=${optionValue(connection.ssl.key)}`)
  const { dir, file } = privateFile('migr8-my-', 'client.cnf', `${lines.join('\n')}\n`)
  const env: NodeJS.ProcessEnv = { ...process.env }
  delete env.MYSQL_PWD
  return { env, leadingArgs: [`--defaults-extra-file=${file}`], dispose: () => removeDir(dir) }
}
