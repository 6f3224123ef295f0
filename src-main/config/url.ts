import { Migr8Error } from '../../src-shared/errors.js'
import type { ConnectionConfig, Driver, SslMode } from './schema.js'
import { SSL_MODES } from './schema.js'

const SCHEMES: Record<string, Driver> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
  sqlite3: 'sqlite',
  file: 'sqlite',
}

export const DEFAULT_PORTS: Record<Driver, number> = { postgres: 5432, mysql: 3306, sqlite: 0 }

/** The parts of a database section a URL can carry; absent parts stay undefined so others can fill them. */
export interface UrlParts {
  driver: Driver
  host?: string
  port?: number
  name?: string
  user?: string
  password?: string
  schema?: string
  ssl?: { mode: SslMode }
}

function badUrl(url: string, why: string): Migr8Error {
  return new Migr8Error(
    'CONFIG_INVALID',
    `The database URL "${maskUrl(url)}" is not valid: ${why}.`,
    'Use a URL like postgres://user:pass@host:5432/db, mysql://user@host:3306/db or sqlite:./file.sqlite.',
  )
}

/** Percent-decoding that reports a malformed escape (`%zz`) as a bad URL instead of a URIError. */
function decode(url: string, text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    throw badUrl(url, `"${text}" has a malformed %-escape (write % as %25)`)
  }
}

/** Parses postgres://, mysql://, mariadb:// and sqlite: URLs (DATABASE_URL style). */
export function parseDatabaseUrl(url: string): UrlParts {
  const schemeMatch = /^([a-z0-9+]+):/i.exec(url)
  const driver = schemeMatch ? SCHEMES[schemeMatch[1].toLowerCase()] : undefined
  if (!driver) throw badUrl(url, 'unknown scheme (expected postgres, mysql, mariadb or sqlite)')

  if (driver === 'sqlite') {
    // sqlite:./rel.db, sqlite:///abs/path.db, sqlite://rel.db, file:./x.db
    let path = url.slice(schemeMatch![0].length)
    if (path.startsWith('//')) path = path.slice(2)
    path = decode(url, path.split('?')[0])
    if (!path) throw badUrl(url, 'no database file given')
    return { driver, name: path }
  }

  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw badUrl(url, 'it could not be parsed')
  }
  const parts: UrlParts = { driver }
  if (parsed.hostname) parts.host = decode(url, parsed.hostname.replace(/^\[|\]$/g, ''))
  if (parsed.port) parts.port = Number(parsed.port)
  const name = decode(url, parsed.pathname.replace(/^\//, ''))
  if (name) parts.name = name
  if (parsed.username) parts.user = decode(url, parsed.username)
  if (parsed.password) {
    try {
      parts.password = decodeURIComponent(parsed.password)
    } catch {
      throw badUrl(url, 'the password has a malformed %-escape (write % as %25)')
    }
  }
  const sslmode = parsed.searchParams.get('sslmode') ?? parsed.searchParams.get('ssl-mode')
  if (sslmode) {
    const mode = sslmode.toLowerCase().replace(/_/g, '-')
    const normalised =
      mode === 'required' ? 'require' : mode === 'disabled' ? 'disable' : mode === 'preferred' ? 'prefer' : mode
    if (!(SSL_MODES as readonly string[]).includes(normalised)) throw badUrl(url, `unknown sslmode "${sslmode}"`)
    parts.ssl = { mode: normalised as SslMode }
  }
  const schema = parsed.searchParams.get('schema') ?? parsed.searchParams.get('search_path')
  if (schema) parts.schema = schema
  return parts
}

/** Builds a URL from a resolved connection; the password is masked unless asked for. */
export function connectionUrl(connection: ConnectionConfig, options: { revealPassword?: boolean } = {}): string {
  if (connection.driver === 'sqlite') return `sqlite:${connection.database}`
  const scheme = connection.driver === 'postgres' ? 'postgres' : 'mysql'
  const password =
    connection.password === undefined
      ? ''
      : `:${options.revealPassword ? encodeURIComponent(connection.password) : '****'}`
  const user = connection.user ? `${encodeURIComponent(connection.user)}${password}@` : ''
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host
  const query = connection.ssl.mode === 'prefer' ? '' : `?sslmode=${connection.ssl.mode}`
  return `${scheme}://${user}${host}:${connection.port}/${encodeURIComponent(connection.database)}${query}`
}

/**
 * Hides the password of a URL for messages and logs. The user info ends at the last `@` before the
 * path, so a password holding an unescaped `@` is hidden whole.
 */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z0-9+.-]+:\/\/[^:/?#@]*:)[^/?#]*@/i, '$1****@')
}
