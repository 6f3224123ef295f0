import { Migr8Error } from '../../src-shared/errors.js'
import type { ConnectionConfig } from '../config/schema.js'
import type { Adapter } from './adapter.js'
import type { ConfirmHostKey, Tunnel } from './tunnel.js'

export type {
  Adapter,
  Session,
  SqlStatement,
  ServerInfo,
  ColumnInfo,
  Row,
  Dialect,
  TransactionPolicy,
} from './adapter.js'

export type { ConfirmHostKey, HostKeyInfo } from './tunnel.js'

export interface OpenOptions {
  /** Keep retrying an unreachable or starting server for up to this many ms (`--wait`). */
  waitMs?: number
  signal?: AbortSignal
  /** Asked when an SSH host key is not in known_hosts (strictHostKey yes); see db/tunnel.ts. */
  confirmHostKey?: ConfirmHostKey
  /** SSH host key fingerprints the user has just confirmed (the app's first-use prompt). */
  acceptHostKeys?: readonly string[]
}

/** Errors worth waiting out: the server may be starting or briefly unreachable. */
const RETRYABLE = new Set(['HOST_UNREACHABLE', 'CONNECT_TIMEOUT', 'CONNECTION_LOST'])

/** Drivers are imported on demand so a command pays only for the database it talks to. */
async function createAdapter(connection: ConnectionConfig): Promise<Adapter> {
  switch (connection.driver) {
    case 'postgres':
      return new (await import('./postgres.js')).PostgresAdapter(connection)
    case 'mysql':
      return new (await import('./mysql.js')).MysqlAdapter(connection)
    case 'sqlite':
      return new (await import('./sqlite.js')).SqliteAdapter(connection)
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })

/** Makes `adapter.close()` close the tunnel too, after the pool. */
function closingTunnel(adapter: Adapter, tunnel: Tunnel): Adapter {
  const close = adapter.close.bind(adapter)
  adapter.close = async () => {
    await close()
    await tunnel.close()
  }
  return adapter
}

/**
 * Opens an adapter and proves the server answers. With `waitMs`, retries with exponential backoff
 * (100 ms doubling to 2 s) while the server is unreachable, then reports the last error.
 */
export async function openAdapter(connection: ConnectionConfig, options: OpenOptions = {}): Promise<Adapter> {
  const deadline = Date.now() + (options.waitMs ?? 0)
  let delay = 100
  for (;;) {
    let tunnel: Tunnel | undefined
    let adapter: Adapter | undefined
    try {
      // An SSH tunnel is opened per attempt and closed with the adapter; the adapter's connection is
      // the forwarded one, so child tools (pg_dump, mariadb-dump) given it go through the tunnel too.
      if (connection.ssh) {
        const { openTunnel } = await import('./tunnel.js')
        tunnel = await openTunnel(connection, options)
        adapter = closingTunnel(await createAdapter(tunnel.connection), tunnel)
      } else {
        adapter = await createAdapter(connection)
      }
      await adapter.ping()
      return adapter
    } catch (error) {
      // A database the SSH host cannot reach shows up in the driver as a dropped connection.
      const typed =
        tunnel?.lastForwardError() instanceof Migr8Error
          ? (tunnel.lastForwardError() as Migr8Error)
          : error instanceof Migr8Error
            ? error
            : adapter
              ? adapter.translateError(error)
              : new Migr8Error('INTERNAL', (error as Error).message, 'Report this as a bug.', undefined, error)
      await adapter?.close()
      await tunnel?.close()
      if (!RETRYABLE.has(typed.code) || Date.now() + delay > deadline || options.signal?.aborted) throw typed
      await sleep(delay, options.signal)
      delay = Math.min(delay * 2, 2_000)
    }
  }
}
