import { Migr8Error } from '../../src-shared/errors.js'
import type { ConnectionConfig } from '../config/schema.js'
import type { Adapter } from './adapter.js'

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

export interface OpenOptions {
  /** Keep retrying an unreachable or starting server for up to this many ms (`--wait`). */
  waitMs?: number
  signal?: AbortSignal
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

/**
 * Opens an adapter and proves the server answers. With `waitMs`, retries with exponential backoff
 * (100 ms doubling to 2 s) while the server is unreachable, then reports the last error.
 */
export async function openAdapter(connection: ConnectionConfig, options: OpenOptions = {}): Promise<Adapter> {
  const deadline = Date.now() + (options.waitMs ?? 0)
  let delay = 100
  for (;;) {
    const adapter = await createAdapter(connection)
    try {
      await adapter.ping()
      return adapter
    } catch (error) {
      await adapter.close()
      const typed = error instanceof Migr8Error ? error : adapter.translateError(error)
      if (!RETRYABLE.has(typed.code) || Date.now() + delay > deadline || options.signal?.aborted) throw typed
      await sleep(delay, options.signal)
      delay = Math.min(delay * 2, 2_000)
    }
  }
}
