/** Environment variables Migr8 reads, and the config key each one sets. */
export const ENV_KEYS: ReadonlyArray<readonly [string, string]> = [
  ['MIGR8_DRIVER', 'database.driver'],
  ['MIGR8_HOST', 'database.host'],
  ['MIGR8_PORT', 'database.port'],
  ['MIGR8_DATABASE', 'database.name'],
  ['MIGR8_USER', 'database.user'],
  ['MIGR8_PASSWORD', 'database.password'],
  ['MIGR8_SCHEMA', 'database.schema'],
  ['MIGR8_SSLMODE', 'database.ssl.mode'],
  ['MIGR8_SSL_CA', 'database.ssl.ca'],
  ['MIGR8_SSL_CERT', 'database.ssl.cert'],
  ['MIGR8_SSL_KEY', 'database.ssl.key'],
  ['MIGR8_SSH_HOST', 'database.ssh.host'],
  ['MIGR8_SSH_PORT', 'database.ssh.port'],
  ['MIGR8_SSH_USER', 'database.ssh.user'],
  ['MIGR8_SSH_IDENTITY_FILE', 'database.ssh.identityFile'],
  ['MIGR8_SSH_PASSPHRASE', 'database.ssh.passphrase'],
  ['MIGR8_SSH_PASSWORD', 'database.ssh.password'],
  ['MIGR8_SSH_JUMP', 'database.ssh.jump'],
  ['MIGR8_SSH_KNOWN_HOSTS', 'database.ssh.knownHosts'],
  ['MIGR8_SSH_STRICT_HOST_KEY', 'database.ssh.strictHostKey'],
  ['MIGR8_CONNECT_TIMEOUT', 'database.connectTimeout'],
  ['MIGR8_STATEMENT_TIMEOUT', 'database.statementTimeout'],
  ['MIGR8_MIGRATIONS_DIR', 'migrations.dir'],
  ['MIGR8_MIGRATIONS_TABLE', 'migrations.table'],
  ['MIGR8_LOCK_MODE', 'migrations.lock.mode'],
  ['MIGR8_LOCK_TIMEOUT', 'migrations.lock.timeout'],
  ['MIGR8_OUT_OF_ORDER', 'migrations.outOfOrder'],
  ['MIGR8_BACKUPS_DIR', 'backups.dir'],
  ['MIGR8_BACKUPS_COMPRESS', 'backups.compress'],
  ['MIGR8_BACKUPS_FORMAT', 'backups.format'],
  ['MIGR8_SEEDS_DIR', 'seeds.dir'],
]

export type Layer = Record<string, unknown>

function setPath(target: Layer, path: string, value: unknown): void {
  const keys = path.split('.')
  let node = target
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {}
    node = node[key] as Layer
  }
  node[keys[keys.length - 1]] = value
}

/** The environment as a config layer: `MIGR8_URL`/`DATABASE_URL` become `database.url`. */
export function environmentLayer(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {}
  const url = env.MIGR8_URL || env.DATABASE_URL
  if (url) setPath(layer, 'database.url', url)
  for (const [name, path] of ENV_KEYS) {
    const value = env[name]
    if (value !== undefined && value !== '') setPath(layer, path, value)
  }
  return layer
}
