import {
  array,
  boolean,
  enumOf,
  gte,
  int,
  lte,
  maxLength,
  minLength,
  number,
  optional,
  pipe,
  preprocess,
  record,
  refine,
  regex,
  strictObject,
  string,
  union,
  withDefault,
  type Output,
} from './validate.js'

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

const duration = refine(
  union([string(), number()]),
  // Environment variables are always text: MIGR8_CONNECT_TIMEOUT=5000 is 5000 ms, as `5000` is in YAML.
  (value) => parseDuration(typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value),
  'expected a duration like 500ms, 30s, 5m, 2h or 30d',
)

/**
 * A whole number within bounds, written as a number or, from the environment or a quoted YAML
 * value, as digits. (Coercing alone would take `true` as 1 and `[5432]` as 5432.)
 */
function integer(min: number, max?: number) {
  const checks = max === undefined ? [gte(min)] : [gte(min), lte(max)]
  return pipe(
    preprocess((value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value), int()),
    (value) => number(...checks).run(value),
  )
}

const text = (min: number) => string(minLength(min))

const port = integer(1, 65535)

export const sslSchema = strictObject({
  mode: withDefault(enumOf(SSL_MODES), 'prefer'),
  ca: optional(string()),
  cert: optional(string()),
  key: optional(string()),
})

export const STRICT_HOST_KEY_MODES = ['yes', 'accept-new', 'no'] as const
export type StrictHostKey = (typeof STRICT_HOST_KEY_MODES)[number]

/** An SSH tunnel (bastion) the database is reached through; see docs/connectivity.md. */
export const sshSchema = strictObject({
  /** SSH server, or a Host alias of ~/.ssh/config. */
  host: text(1),
  port: optional(port),
  user: optional(text(1)),
  identityFile: optional(text(1)),
  passphrase: optional(string()),
  password: optional(string()),
  /** Use the ssh-agent: true for SSH_AUTH_SOCK, or the agent socket path. */
  agent: optional(union([boolean(), text(1)])),
  /** Jump host(s) before `host`: `user@host:port` or an alias, comma-separated (like ssh -J). */
  jump: optional(text(1)),
  knownHosts: optional(text(1)),
  strictHostKey: optional(enumOf(STRICT_HOST_KEY_MODES)),
  /** The ssh_config file for host aliases (default ~/.ssh/config; `none` to read none). */
  configFile: optional(text(1)),
  keepalive: optional(duration),
})

export const databaseSchema = strictObject({
  driver: enumOf(DRIVERS),
  url: optional(string()),
  host: optional(text(1)),
  port: optional(port),
  name: optional(text(1)),
  user: optional(string()),
  password: optional(string()),
  schema: optional(text(1)),
  ssl: withDefault(sslSchema, { mode: 'prefer' }),
  ssh: optional(sshSchema),
  connectTimeout: withDefault(duration, 10_000),
  statementTimeout: optional(duration),
  poolMax: withDefault(integer(1, 100), 4),
})

export const LOCK_MODES = ['session', 'table', 'none'] as const
export const OUT_OF_ORDER_POLICIES = ['error', 'allow', 'ignore'] as const
export const CREATE_FORMATS = ['golang-migrate', 'dbmate'] as const
export const VERSION_STYLES = ['timestamp', 'sequential'] as const

export const migrationsSchema = strictObject({
  dir: withDefault(text(1), 'migrations'),
  table: withDefault(
    string(regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'expected a plain table name (letters, digits, underscore)')),
    'migr8_migrations',
  ),
  lock: withDefault(
    strictObject({
      mode: withDefault(enumOf(LOCK_MODES), 'session'),
      timeout: withDefault(duration, 60_000),
      lease: withDefault(duration, 30_000),
    }),
    { mode: 'session', timeout: 60_000, lease: 30_000 },
  ),
  outOfOrder: withDefault(enumOf(OUT_OF_ORDER_POLICIES), 'error'),
  create: withDefault(
    strictObject({
      format: withDefault(enumOf(CREATE_FORMATS), 'golang-migrate'),
      versions: withDefault(enumOf(VERSION_STYLES), 'timestamp'),
    }),
    { format: 'golang-migrate', versions: 'timestamp' },
  ),
})

export const COMPRESSIONS = ['auto', 'gzip', 'zstd', 'none'] as const
export const BACKUP_FORMATS = ['plain', 'custom', 'directory'] as const

export const backupsSchema = strictObject({
  dir: withDefault(text(1), 'backups'),
  compress: withDefault(enumOf(COMPRESSIONS), 'auto'),
  format: withDefault(enumOf(BACKUP_FORMATS), 'plain'),
  retention: withDefault(
    strictObject({
      keep: optional(integer(1)),
      maxAge: optional(duration),
    }),
    {},
  ),
})

export const seedsSchema = strictObject({
  dir: withDefault(text(1), 'seeds'),
  truncate: withDefault(boolean(), false),
  /** Explicit order of seed files (names relative to dir); files not listed run after, by name. */
  order: optional(array(string())),
  /** File name → table name, for files whose name is not their table. */
  tables: optional(record(string())),
  nullValues: withDefault(array(string()), ['\\N', 'NULL']),
  delimiter: optional(string(maxLength(1))),
})

export const fileConfigSchema = strictObject({
  database: databaseSchema,
  migrations: withDefault(migrationsSchema, migrationsSchema.parse({})),
  backups: withDefault(backupsSchema, backupsSchema.parse({})),
  seeds: withDefault(seedsSchema, seedsSchema.parse({})),
})

export type DatabaseConfig = Output<typeof databaseSchema>
export type MigrationsConfig = Output<typeof migrationsSchema>
export type BackupsConfig = Output<typeof backupsSchema>
export type SeedsConfig = Output<typeof seedsSchema>
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
