/**
 * The app's one contract: every call the renderer can make, declared once with its input and output
 * schema. The main process validates inputs against it, the handler table is typed from it, the
 * preload bridge and the web server forward opaque `{ channel, input }` pairs, and the renderer's
 * client is typed from it. Adding a call = one entry here + one handler in src-main/api.
 */
import { z } from 'zod'
import { ERROR_CODES } from './errors.js'
import type { Bridge as BridgeOf } from './schemas/bridge.js'
import { adoptContract } from './schemas/adopt.js'
import { backupContract } from './schemas/backups.js'
import { migrationContract } from './schemas/migrations.js'
import { seedContract } from './schemas/seeds.js'

// ── Building blocks ────────────────────────────────────────────────────────────────────────────────

import {
  CONNECTION_HOPS,
  DRIVERS,
  ENVIRONMENTS,
  PASSWORD_MODES,
  SSL_MODES,
  STRICT_HOST_KEY_MODES,
} from './schemas/constants.js'
export * from './schemas/constants.js'

const text = (max = 500) => z.string().max(max)
const requiredText = (max = 500) => z.string().trim().min(1).max(max)

export const ErrorPayloadSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  remedy: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
})

export const ProfileFolders = z
  .object({
    migrations: text(1000).optional(),
    backups: text(1000).optional(),
    seeds: text(1000).optional(),
  })
  .strict()

export const ProfileSsl = z
  .object({
    mode: z.enum(SSL_MODES).default('prefer'),
    ca: text(1000).optional(),
    /** Client certificate and its key (PEM files), for servers that ask for one. */
    cert: text(1000).optional(),
    key: text(1000).optional(),
  })
  .strict()

/** The SSH tunnel (bastion) of a profile, without its secrets (password, key passphrase: secret store). */
export const ProfileSsh = z
  .object({
    /** SSH server, or a Host alias of ~/.ssh/config. */
    host: requiredText(255),
    port: z.number().int().min(1).max(65535).optional(),
    user: text(255).optional(),
    identityFile: text(1000).optional(),
    /** true: the agent of SSH_AUTH_SOCK; a string: the agent socket path. */
    agent: z.union([z.boolean(), text(1000)]).optional(),
    /** Jump host(s) before `host`, comma-separated, like ssh -J. */
    jump: text(1000).optional(),
    knownHosts: text(1000).optional(),
    strictHostKey: z.enum(STRICT_HOST_KEY_MODES).optional(),
  })
  .strict()

/** What a profile is, without any secret: shared by the store, the view and the export. */
const profileFields = {
  name: requiredText(120),
  driver: z.enum(DRIVERS),
  /** A database URL instead of host/port/database/user; its password (if any) is moved to the secret store. */
  url: text(2000).optional(),
  host: text(255).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** Database name, or for SQLite the database file. */
  database: text(1000).optional(),
  user: text(255).optional(),
  schema: text(255).optional(),
  ssl: ProfileSsl.default({ mode: 'prefer' }),
  ssh: ProfileSsh.optional(),
  folder: text(200).optional(),
  environment: z.enum(ENVIRONMENTS).default('development'),
  folders: ProfileFolders.default({}),
  readOnly: z.boolean().default(false),
  passwordMode: z.enum(PASSWORD_MODES).default('none'),
  /** Production profiles: take a backup before any down, redo, restore or seed with truncate (absent: on). */
  safetyBackups: z.boolean().optional(),
}

/** What the renderer sends to create (no id) or update (with id) a profile. */
export const ProfileInput = z
  .object({
    id: z.string().min(1).max(64).optional(),
    ...profileFields,
    /** A new password to store; absent keeps the stored one. */
    password: z.string().max(1000).optional(),
    /** Forget the stored password. */
    clearPassword: z.boolean().optional(),
    /** A new SSH password / key passphrase to store (same rules as `password`); absent keeps the stored one. */
    sshPassword: z.string().max(1000).optional(),
    sshPassphrase: z.string().max(1000).optional(),
    /** Forget the stored SSH password and key passphrase. */
    clearSshSecrets: z.boolean().optional(),
  })
  .strict()

/** What the renderer sees of a profile: never the password, only whether one is stored. */
export const ProfileView = z
  .object({
    id: z.string(),
    ...profileFields,
    /** The URL with any password masked. */
    url: z.string().optional(),
    hasPassword: z.boolean(),
    hasSshPassword: z.boolean(),
    hasSshPassphrase: z.boolean(),
    demo: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strip()

/** Which profile to test: a saved one (with a password typed now for "ask every time"), or a draft. */
/** `acceptHostKeys`: SSH host key fingerprints the user trusted after a CONFIRMATION_REQUIRED (recorded). */
const acceptHostKeys = z.array(z.string().max(200)).max(10).optional()
export const ProfileTestInput = z.union([
  z
    .object({
      id: z.string().min(1),
      password: z.string().max(1000).optional(),
      sshPassword: z.string().max(1000).optional(),
      sshPassphrase: z.string().max(1000).optional(),
      acceptHostKeys,
    })
    .strict(),
  z.object({ draft: ProfileInput, acceptHostKeys }).strict(),
])

/** One hop of "Test connection": SSH host reachable/authenticated, forward, TLS, authentication, server. */
export const ProfileTestHop = z.object({
  hop: z.enum(CONNECTION_HOPS),
  label: z.string(),
  status: z.enum(['ok', 'warn', 'failed', 'skipped']),
  ms: z.number().optional(),
  detail: z.string().optional(),
  /** The failure and its remedy, on the failed hop only. */
  error: ErrorPayloadSchema.optional(),
})

export const ProfileTestResult = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    version: z.string(),
    latencyMs: z.number(),
    hops: z.array(ProfileTestHop).default([]),
    tls: z.object({ version: z.string(), cipher: z.string() }).optional(),
    testedAt: z.string(),
  }),
  z.object({
    ok: z.literal(false),
    error: ErrorPayloadSchema,
    failedHop: z.enum(CONNECTION_HOPS).optional(),
    hops: z.array(ProfileTestHop).default([]),
    testedAt: z.string(),
  }),
])

export const ProgressSchema = z.object({
  phase: z.string(),
  done: z.number().optional(),
  total: z.number().optional(),
  unit: z.enum(['bytes', 'rows', 'statements', 'migrations', 'pages']).optional(),
  rate: z.number().optional(),
  message: z.string().optional(),
})

export const JOB_STATES = ['running', 'done', 'failed', 'cancelled'] as const

export const JobRef = z.object({ jobId: z.string() })

export const JobSummary = z.object({
  jobId: z.string(),
  kind: z.string(),
  title: z.string(),
  state: z.enum(JOB_STATES),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  progress: ProgressSchema.optional(),
  log: z.array(z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string(), at: z.string() })),
  result: z.unknown().optional(),
  error: ErrorPayloadSchema.optional(),
})

/** Events pushed to every subscriber (window, web socket) while jobs run. */
export const JobEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), jobId: z.string(), kind: z.string(), title: z.string() }),
  z.object({ type: z.literal('progress'), jobId: z.string(), progress: ProgressSchema }),
  z.object({
    type: z.literal('log'),
    jobId: z.string(),
    level: z.enum(['info', 'warn', 'error']),
    message: z.string(),
  }),
  z.object({ type: z.literal('done'), jobId: z.string(), result: z.unknown() }),
  z.object({ type: z.literal('failed'), jobId: z.string(), error: ErrorPayloadSchema }),
  z.object({ type: z.literal('cancelled'), jobId: z.string() }),
])

export const SecretStorageInfo = z.object({
  /** keychain: OS keychain via Electron safeStorage; file: AES-256-GCM file with a 0600 key; none: fail closed. */
  kind: z.enum(['keychain', 'file', 'master', 'none']),
  /** Whether passwords can be stored now; false means "ask every time" (or unlock first). */
  available: z.boolean(),
  description: z.string(),
  /** master: locked until the master password is typed this session; configured once one was set. */
  locked: z.boolean().optional(),
  configured: z.boolean().optional(),
})

export const AppInfo = z.object({
  version: z.string(),
  mode: z.enum(['electron', 'web']),
  platform: z.string(),
  dataDir: z.string(),
  secrets: SecretStorageInfo,
  cliCommands: z.array(z.object({ area: z.string(), command: z.string(), description: z.string() })),
})

export const MIGRATION_STATES = [
  'applied',
  'pending',
  'partial',
  'partial_down',
  'missing_file',
  'checksum_drift',
  'out_of_order',
] as const

export const MigrationStatusView = z.object({
  /** The migrations folder read. */
  dir: z.string(),
  current: z.string().optional(),
  pending: z.number(),
  problems: z.array(z.string()),
  lock: z.object({ owner: z.string(), since: z.string() }).optional(),
  entries: z.array(
    z.object({
      version: z.string(),
      name: z.string(),
      state: z.enum(MIGRATION_STATES),
      hasDown: z.boolean(),
      appliedAt: z.string().optional(),
      executionMs: z.number().optional(),
      appliedBy: z.string().optional(),
      statements: z.object({ done: z.number(), total: z.number() }).optional(),
      error: z.string().optional(),
    }),
  ),
})

const Id = z.object({ id: z.string().min(1).max(64) }).strict()
const Nothing = z.undefined().or(z.null()).or(z.object({}).strict()).optional()

// ── The calls ──────────────────────────────────────────────────────────────────────────────────────

export const contract = {
  'app.info': { input: Nothing, output: AppInfo },
  'app.openExternal': {
    input: z.object({ url: z.string().max(2000) }).strict(),
    output: z.object({ opened: z.boolean() }),
  },

  'profiles.list': { input: Nothing, output: z.array(ProfileView) },
  'profiles.get': { input: Id, output: ProfileView },
  'profiles.save': { input: ProfileInput, output: ProfileView },
  'profiles.delete': { input: Id, output: z.object({ deleted: z.boolean() }) },
  'profiles.test': { input: ProfileTestInput, output: ProfileTestResult },
  /** Tests every profile as a job (progress per profile); a way to check a whole team setup at once. */
  'profiles.testAll': { input: Nothing, output: JobRef },
  'profiles.importYaml': {
    input: z.object({ path: requiredText(2000), name: text(120).optional() }).strict(),
    output: ProfileView,
  },
  'profiles.export': {
    input: z
      .object({ ids: z.array(z.string()).optional() })
      .strict()
      .optional(),
    output: z.object({ document: z.string(), count: z.number() }),
  },
  'profiles.import': {
    input: z.object({ document: z.string().max(2_000_000) }).strict(),
    output: z.object({ imported: z.array(ProfileView) }),
  },

  /** Read-only: which migrations of the profile's folder are applied, pending or in trouble. */
  'migrations.status': {
    input: z.object({ profileId: z.string().min(1).max(64), password: z.string().max(1000).optional() }).strict(),
    output: MigrationStatusView,
  },
  ...migrationContract,
  ...adoptContract,
  ...backupContract,
  ...seedContract,

  /** Unlocks (or, the first time, sets) the master password that protects stored passwords. */
  'secrets.unlock': { input: z.object({ password: z.string().min(1).max(1000) }).strict(), output: SecretStorageInfo },
  'secrets.lock': { input: Nothing, output: SecretStorageInfo },

  'jobs.list': { input: Nothing, output: z.array(JobSummary) },
  'jobs.cancel': {
    input: z.object({ jobId: z.string().min(1) }).strict(),
    output: z.object({ cancelled: z.boolean() }),
  },
} as const

export type Contract = typeof contract
export type Channel = keyof Contract
export type Input<K extends Channel> = z.input<Contract[K]['input']>
/** The input after validation (defaults applied), as handlers receive it. */
export type ParsedInput<K extends Channel> = z.output<Contract[K]['input']>
export type Output<K extends Channel> = z.output<Contract[K]['output']>

export type ProfileInputT = z.input<typeof ProfileInput>
export type ProfileViewT = z.output<typeof ProfileView>
export type ProfileTestResultT = z.output<typeof ProfileTestResult>
export type ProfileTestHopT = z.output<typeof ProfileTestHop>
export type JobEventT = z.output<typeof JobEvent>
export type JobSummaryT = z.output<typeof JobSummary>
export type AppInfoT = z.output<typeof AppInfo>
export type MigrationStatusViewT = z.output<typeof MigrationStatusView>
export type Driver = (typeof DRIVERS)[number]
export type Environment = (typeof ENVIRONMENTS)[number]

export const CHANNELS = Object.keys(contract) as Channel[]

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(contract, value)
}

export { IPC, type CallResult } from './schemas/bridge.js'
export type Bridge = BridgeOf<JobEventT>
