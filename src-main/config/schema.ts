// zod/mini rather than zod: the same validation core and English messages, but it tree-shakes to
// ~60 KB where zod's method-chaining API bundles ~750 KB that every CLI start compiled (~30 ms).
import { en } from 'zod/locales'
import * as z from 'zod/mini'
import { globalConfig } from 'zod/v4/core'

// What `zod` itself installs on first use (and only if unset): English messages, which the config
// errors quote, and the memoizer that gives containers cycle support.
if (!globalConfig.localeError) z.config(en())
if (!globalConfig.memoizer) z.config({ memoizer: z.memoizer() })

export const DRIVERS = ['postgres', 'mysql', 'sqlite'] as const
export type Driver = (typeof DRIVERS)[number]

export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const
export type SslMode = (typeof SSL_MODES)[number]

/** Durations are written like `30s`, `5m`, `2h`, `30d` or a number of milliseconds. */
const durationPattern = /^(\d+)(ms|s|m|h|d)$/
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  const match = durationPattern.exec(value.trim())
  if (!match) return undefined
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms']
  return Number(match[1]) * unit
}

const duration = z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((value, ctx) => {
    // Environment variables are always text: MIGR8_CONNECT_TIMEOUT=5000 is 5000 ms, as `5000` is in YAML.
    const ms = parseDuration(typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value)
    if (ms === undefined) {
      ctx.issues.push({ code: 'custom', message: 'expected a duration like 500ms, 30s, 5m, 2h or 30d', input: value })
      return z.NEVER
    }
    return ms
  }),
)

/**
 * A whole number written as a number or, from the environment or a quoted YAML value, as digits.
 * (`z.coerce` alone would take `true` as 1 and `[5432]` as 5432.)
 */
function integer() {
  return z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value)),
    z.number().check(z.int()),
  )
}

/** A whole number within bounds, as `integer().pipe(z.number().min(…).max(…))` checked it with zod's chaining API. */
function boundedInteger(min: number, max?: number) {
  const bounds = max === undefined ? [z.gte(min)] : [z.gte(min), z.lte(max)]
  return z.pipe(integer(), z.number().check(...bounds))
}

const text = (min?: number) => (min === undefined ? z.string() : z.string().check(z.minLength(min)))

const port = boundedInteger(1, 65535)

export const sslSchema = z.strictObject({
  mode: z._default(z.enum(SSL_MODES), 'prefer'),
  ca: z.optional(z.string()),
  cert: z.optional(z.string()),
  key: z.optional(z.string()),
})

export const STRICT_HOST_KEY_MODES = ['yes', 'accept-new', 'no'] as const
export type StrictHostKey = (typeof STRICT_HOST_KEY_MODES)[number]

/** An SSH tunnel (bastion) the database is reached through; see docs/connectivity.md. */
export const sshSchema = z.strictObject({
  /** SSH server, or a Host alias of ~/.ssh/config. */
  host: text(1),
  port: z.optional(port),
  user: z.optional(text(1)),
  identityFile: z.optional(text(1)),
  passphrase: z.optional(z.string()),
  password: z.optional(z.string()),
  /** Use the ssh-agent: true for SSH_AUTH_SOCK, or the agent socket path. */
  agent: z.optional(z.union([z.boolean(), text(1)])),
  /** Jump host(s) before `host`: `user@host:port` or an alias, comma-separated (like ssh -J). */
  jump: z.optional(text(1)),
  knownHosts: z.optional(text(1)),
  strictHostKey: z.optional(z.enum(STRICT_HOST_KEY_MODES)),
  /** The ssh_config file for host aliases (default ~/.ssh/config; `none` to read none). */
  configFile: z.optional(text(1)),
  keepalive: z.optional(duration),
})

export const databaseSchema = z.strictObject({
  driver: z.enum(DRIVERS),
  url: z.optional(z.string()),
  host: z.optional(text(1)),
  port: z.optional(port),
  name: z.optional(text(1)),
  user: z.optional(z.string()),
  password: z.optional(z.string()),
  schema: z.optional(text(1)),
  ssl: z._default(sslSchema, { mode: 'prefer' }),
  ssh: z.optional(sshSchema),
  connectTimeout: z._default(duration, 10_000),
  statementTimeout: z.optional(duration),
  poolMax: z._default(boundedInteger(1, 100), 4),
})

export const LOCK_MODES = ['session', 'table', 'none'] as const
export const OUT_OF_ORDER_POLICIES = ['error', 'allow', 'ignore'] as const
export const CREATE_FORMATS = ['golang-migrate', 'dbmate'] as const
export const VERSION_STYLES = ['timestamp', 'sequential'] as const

export const migrationsSchema = z.strictObject({
  dir: z._default(text(1), 'migrations'),
  table: z._default(
    z
      .string()
      .check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'expected a plain table name (letters, digits, underscore)')),
    'migr8_migrations',
  ),
  lock: z._default(
    z.strictObject({
      mode: z._default(z.enum(LOCK_MODES), 'session'),
      timeout: z._default(duration, 60_000),
      lease: z._default(duration, 30_000),
    }),
    { mode: 'session', timeout: 60_000, lease: 30_000 },
  ),
  outOfOrder: z._default(z.enum(OUT_OF_ORDER_POLICIES), 'error'),
  create: z._default(
    z.strictObject({
      format: z._default(z.enum(CREATE_FORMATS), 'golang-migrate'),
      versions: z._default(z.enum(VERSION_STYLES), 'timestamp'),
    }),
    { format: 'golang-migrate', versions: 'timestamp' },
  ),
})

export const COMPRESSIONS = ['auto', 'gzip', 'zstd', 'none'] as const
export const BACKUP_FORMATS = ['plain', 'custom'] as const

export const backupsSchema = z.strictObject({
  dir: z._default(text(1), 'backups'),
  compress: z._default(z.enum(COMPRESSIONS), 'auto'),
  format: z._default(z.enum(BACKUP_FORMATS), 'plain'),
  retention: z._default(
    z.strictObject({
      keep: z.optional(boundedInteger(1)),
      maxAge: z.optional(duration),
    }),
    {},
  ),
})

export const seedsSchema = z.strictObject({
  dir: z._default(text(1), 'seeds'),
  truncate: z._default(z.boolean(), false),
  /** Explicit order of seed files (names relative to dir); files not listed run after, by name. */
  order: z.optional(z.array(z.string())),
  /** File name → table name, for files whose name is not their table. */
  tables: z.optional(z.record(z.string(), z.string())),
  nullValues: z._default(z.array(z.string()), ['\\N', 'NULL']),
  delimiter: z.optional(z.string().check(z.maxLength(1))),
})

export const fileConfigSchema = z.strictObject({
  database: databaseSchema,
  migrations: z._default(migrationsSchema, migrationsSchema.parse({})),
  backups: z._default(backupsSchema, backupsSchema.parse({})),
  seeds: z._default(seedsSchema, seedsSchema.parse({})),
})

export type DatabaseConfig = z.output<typeof databaseSchema>
export type MigrationsConfig = z.output<typeof migrationsSchema>
export type BackupsConfig = z.output<typeof backupsSchema>
export type SeedsConfig = z.output<typeof seedsSchema>
export type LockMode = (typeof LOCK_MODES)[number]
export type OutOfOrderPolicy = (typeof OUT_OF_ORDER_POLICIES)[number]

/** A connection with every default applied; what the adapters are given. */
export interface ConnectionConfig {
  driver: Driver
  host: string
  port: number
  /** Database name; for SQLite the absolute path of the database file. */
  database: string
  user: string
  password?: string
  schema?: string
  ssl: { mode: SslMode; ca?: string; cert?: string; key?: string }
  /** Open this SSH tunnel first and connect through it (openAdapter does it, see db/tunnel.ts). */
  ssh?: SshTunnelConfig
  /** The host name TLS verify-full checks when `host` is not the server's name (a tunnel's 127.0.0.1). */
  tlsServername?: string
  /** Set on a connection rewritten by a tunnel: where it really goes, for messages and lock keys. */
  via?: { ssh: string; host: string; port: number }
  connectTimeoutMs: number
  statementTimeoutMs?: number
  poolMax: number
}

/** An SSH tunnel with paths resolved; secrets are kept here only in memory. */
export interface SshTunnelConfig {
  host: string
  port?: number
  user?: string
  identityFile?: string
  passphrase?: string
  password?: string
  agent?: boolean | string
  jump?: string
  knownHosts?: string
  strictHostKey?: StrictHostKey
  configFile?: string
  keepaliveMs?: number
}

export interface Migr8Config {
  /** Absolute path of the file the config came from, if any. */
  file?: string
  /** Folder relative paths are resolved against. */
  baseDir: string
  connection: ConnectionConfig
  migrations: MigrationsConfig
  backups: BackupsConfig
  seeds: SeedsConfig
}
