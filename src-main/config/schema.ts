import { z } from 'zod'

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

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  // Environment variables are always text: MIGR8_CONNECT_TIMEOUT=5000 is 5000 ms, as `5000` is in YAML.
  const ms = parseDuration(typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value)
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration like 500ms, 30s, 5m, 2h or 30d' })
    return z.NEVER
  }
  return ms
})

/**
 * A whole number written as a number or, from the environment or a quoted YAML value, as digits.
 * (`z.coerce` alone would take `true` as 1 and `[5432]` as 5432.)
 */
function integer() {
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value),
    z.number().int(),
  )
}

const port = integer().pipe(z.number().min(1).max(65535))

export const sslSchema = z
  .object({
    mode: z.enum(SSL_MODES).default('prefer'),
    ca: z.string().optional(),
    cert: z.string().optional(),
    key: z.string().optional(),
  })
  .strict()

export const STRICT_HOST_KEY_MODES = ['yes', 'accept-new', 'no'] as const
export type StrictHostKey = (typeof STRICT_HOST_KEY_MODES)[number]

/** An SSH tunnel (bastion) the database is reached through; see docs/connectivity.md. */
export const sshSchema = z
  .object({
    /** SSH server, or a Host alias of ~/.ssh/config. */
    host: z.string().min(1),
    port: port.optional(),
    user: z.string().min(1).optional(),
    identityFile: z.string().min(1).optional(),
    passphrase: z.string().optional(),
    password: z.string().optional(),
    /** Use the ssh-agent: true for SSH_AUTH_SOCK, or the agent socket path. */
    agent: z.union([z.boolean(), z.string().min(1)]).optional(),
    /** Jump host(s) before `host`: `user@host:port` or an alias, comma-separated (like ssh -J). */
    jump: z.string().min(1).optional(),
    knownHosts: z.string().min(1).optional(),
    strictHostKey: z.enum(STRICT_HOST_KEY_MODES).optional(),
    /** The ssh_config file for host aliases (default ~/.ssh/config; `none` to read none). */
    configFile: z.string().min(1).optional(),
    keepalive: duration.optional(),
  })
  .strict()

export const databaseSchema = z
  .object({
    driver: z.enum(DRIVERS),
    url: z.string().optional(),
    host: z.string().min(1).optional(),
    port: port.optional(),
    name: z.string().min(1).optional(),
    user: z.string().optional(),
    password: z.string().optional(),
    schema: z.string().min(1).optional(),
    ssl: sslSchema.default({ mode: 'prefer' }),
    ssh: sshSchema.optional(),
    connectTimeout: duration.default(10_000),
    statementTimeout: duration.optional(),
    poolMax: integer().pipe(z.number().min(1).max(100)).default(4),
  })
  .strict()

export const LOCK_MODES = ['session', 'table', 'none'] as const
export const OUT_OF_ORDER_POLICIES = ['error', 'allow', 'ignore'] as const
export const CREATE_FORMATS = ['golang-migrate', 'dbmate'] as const
export const VERSION_STYLES = ['timestamp', 'sequential'] as const

export const migrationsSchema = z
  .object({
    dir: z.string().min(1).default('migrations'),
    table: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'expected a plain table name (letters, digits, underscore)')
      .default('migr8_migrations'),
    lock: z
      .object({
        mode: z.enum(LOCK_MODES).default('session'),
        timeout: duration.default(60_000),
        lease: duration.default(30_000),
      })
      .strict()
      .default({ mode: 'session', timeout: 60_000, lease: 30_000 }),
    outOfOrder: z.enum(OUT_OF_ORDER_POLICIES).default('error'),
    create: z
      .object({
        format: z.enum(CREATE_FORMATS).default('golang-migrate'),
        versions: z.enum(VERSION_STYLES).default('timestamp'),
      })
      .strict()
      .default({ format: 'golang-migrate', versions: 'timestamp' }),
  })
  .strict()

export const COMPRESSIONS = ['auto', 'gzip', 'zstd', 'none'] as const
export const BACKUP_FORMATS = ['plain', 'custom'] as const

export const backupsSchema = z
  .object({
    dir: z.string().min(1).default('backups'),
    compress: z.enum(COMPRESSIONS).default('auto'),
    format: z.enum(BACKUP_FORMATS).default('plain'),
    retention: z
      .object({
        keep: integer().pipe(z.number().min(1)).optional(),
        maxAge: duration.optional(),
      })
      .strict()
      .default({}),
  })
  .strict()

export const seedsSchema = z
  .object({
    dir: z.string().min(1).default('seeds'),
    truncate: z.boolean().default(false),
    /** Explicit order of seed files (names relative to dir); files not listed run after, by name. */
    order: z.array(z.string()).optional(),
    /** File name → table name, for files whose name is not their table. */
    tables: z.record(z.string(), z.string()).optional(),
    nullValues: z.array(z.string()).default(['\\N', 'NULL']),
    delimiter: z.string().max(1).optional(),
  })
  .strict()

export const fileConfigSchema = z
  .object({
    database: databaseSchema,
    migrations: migrationsSchema.default(migrationsSchema.parse({})),
    backups: backupsSchema.default(backupsSchema.parse({})),
    seeds: seedsSchema.default(seedsSchema.parse({})),
  })
  .strict()

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
