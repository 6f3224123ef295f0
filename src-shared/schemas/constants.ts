/** Enumerations shared by the contract and the renderer (no zod here, so the renderer can import them cheaply). */
export const DRIVERS = ['postgres', 'mysql', 'sqlite'] as const
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const
export const ENVIRONMENTS = ['production', 'staging', 'development'] as const
/** stored: kept in the secret store; ask: asked for every time, never stored; none: no password. */
export const PASSWORD_MODES = ['stored', 'ask', 'none'] as const
/** SSH host key checking of a tunnel: yes (ask for unknown keys), accept-new (record them), no (check nothing). */
export const STRICT_HOST_KEY_MODES = ['yes', 'accept-new', 'no'] as const
/** The hops "Test connection" reports, in order (the same list as src-main/db/diagnose.ts's HOPS). */
export const CONNECTION_HOPS = [
  'ssh-reachable',
  'ssh-authenticated',
  'ssh-forward',
  'database-reachable',
  'tls',
  'authenticated',
  'server',
] as const

export const ENVIRONMENT_COLORS: Record<(typeof ENVIRONMENTS)[number], string> = {
  production: '#d93025',
  staging: '#e8a317',
  development: '#1e9e5a',
}

export const DRIVER_LABELS: Record<(typeof DRIVERS)[number], string> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL / MariaDB',
  sqlite: 'SQLite',
}

export const DEFAULT_PORTS: Record<(typeof DRIVERS)[number], number> = { postgres: 5432, mysql: 3306, sqlite: 0 }
