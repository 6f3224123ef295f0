import { hostname, userInfo } from 'node:os'
import { Migr8Error, throwIfAborted } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { LockMode } from '../config/schema.js'
import type { Adapter, Session } from '../db/adapter.js'
import type { HistoryStore } from './history.js'
import type { LockHolder } from './model.js'

export interface LockOptions {
  mode: LockMode
  timeoutMs: number
  leaseMs: number
  /** Identifies what is locked: database + schema + history table. */
  key: string
}

/** What the migration lock locks: one database, schema and history table. Shared by every writer of the history. */
export function migrationLockKey(adapter: Adapter, table: string): string {
  const { connection } = adapter
  // Through an SSH tunnel the host is the local forward: key on the real server so direct and
  // tunnelled clients exclude each other.
  const host = connection.via?.host ?? connection.host
  return `migr8:${connection.driver}:${host}:${connection.database}:${connection.schema ?? ''}:${table}`
}

export interface MigrationLock {
  release(): Promise<void>
}

/** Row ids in the lock table: the lease itself, and the "who holds the session lock" note. */
const LEASE_ROW = 1
const HOLDER_NOTE_ROW = 2

const HOST = hostname()
export function actorName(): string {
  let user = 'unknown'
  try {
    user = userInfo().username
  } catch {
    // Containers without a passwd entry for the uid: keep "unknown".
  }
  return `${user}@${HOST}`
}

function ownerName(): string {
  return `${actorName()} pid ${process.pid}`
}

/** A holder on this host whose process is gone can be taken over at once, without waiting for its lease. */
function holderIsDeadHere(owner: string): boolean {
  const match = / pid (\d+)$/.exec(owner)
  if (!match || !owner.includes(`@${HOST} pid `)) return false
  try {
    process.kill(Number(match[1]), 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Short, growing waits: a lock is usually held for milliseconds to seconds. */
async function waitForLock(
  timeoutMs: number,
  ctx: RunContext,
  attempt: () => Promise<boolean>,
  describeHolder: () => Promise<LockHolder | undefined>,
): Promise<void> {
  const started = Date.now()
  let delay = 10
  let reported = false
  for (;;) {
    throwIfAborted(ctx.signal)
    if (await attempt()) return
    const waited = Date.now() - started
    if (waited >= timeoutMs) {
      const holder = await describeHolder().catch(() => undefined)
      const by = holder ? ` by ${holder.owner} since ${holder.since}` : ''
      throw new Migr8Error(
        'LOCK_TIMEOUT',
        `The migration lock is held${by}; gave up after ${Math.round(waited / 1000)} s.`,
        'Wait for the other migration to finish and run again, or raise migrations.lock.timeout. If its process died, its lock is released when its connection closes (or its lease expires).',
        { holder },
      )
    }
    if (!reported && waited > 1000) {
      const holder = await describeHolder().catch(() => undefined)
      ctx.onLog?.(
        'info',
        `waiting for the migration lock${holder ? ` (held by ${holder.owner} since ${holder.since})` : ''}`,
      )
      reported = true
    }
    await sleep(delay)
    delay = Math.min(Math.round(delay * 1.5), 100)
  }
}

/** Keeps a dedicated connection checked out until `done` is called. */
function holdSession(adapter: Adapter): Promise<{ session: Session; done: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    let finished: Promise<void> | undefined = undefined
    finished = adapter.withSession(
      (session) =>
        new Promise<void>((releaseSession) => {
          resolve({
            session,
            done: async () => {
              releaseSession()
              await finished
            },
          })
        }),
    )
    finished.catch(reject)
  })
}

async function readHolder(
  history: HistoryStore,
  runner: Pick<Session, 'query'>,
  row: number,
): Promise<LockHolder | undefined> {
  const rows = await runner.query<{ owner: string; acquired_at: unknown }>(
    `SELECT owner, acquired_at FROM ${history.lockTable} WHERE id = ?`,
    [row],
  )
  if (rows.length === 0) return undefined
  const since = rows[0].acquired_at instanceof Date ? rows[0].acquired_at : new Date(String(rows[0].acquired_at))
  return { owner: rows[0].owner, since: since.toISOString() }
}

/** Session lock (PostgreSQL advisory lock, MySQL GET_LOCK): released by the server if the process dies. */
async function acquireSessionLock(
  adapter: Adapter,
  history: HistoryStore,
  options: LockOptions,
  ctx: RunContext,
): Promise<MigrationLock> {
  const held = await holdSession(adapter)
  try {
    await waitForLock(
      options.timeoutMs,
      ctx,
      () => adapter.tryAdvisoryLock!(held.session, options.key),
      () => readHolder(history, adapter, HOLDER_NOTE_ROW),
    )
  } catch (error) {
    await held.done()
    throw error
  }
  await history.ensure(held.session)
  await held.session.query(`DELETE FROM ${history.lockTable} WHERE id = ?`, [HOLDER_NOTE_ROW])
  const now = new Date()
  await held.session.query(
    `INSERT INTO ${history.lockTable} (id, owner, acquired_at, expires_at) VALUES (?, ?, ?, ?)`,
    [HOLDER_NOTE_ROW, ownerName(), now, now],
  )
  return {
    release: async () => {
      try {
        await held.session
          .query(`DELETE FROM ${history.lockTable} WHERE id = ?`, [HOLDER_NOTE_ROW])
          .catch(() => undefined)
        await adapter.releaseAdvisoryLock!(held.session, options.key)
      } finally {
        await held.done()
      }
    },
  }
}

/**
 * Lease in the lock table: for SQLite (no advisory locks) and for PgBouncer transaction pooling,
 * where a session lock would stay on a pooled server connection. A heartbeat renews the lease; a
 * lease left by a crashed process expires (or is taken at once when its process is gone on this host).
 */
async function acquireLease(
  adapter: Adapter,
  history: HistoryStore,
  options: LockOptions,
  ctx: RunContext,
): Promise<MigrationLock> {
  await ensureTablesTolerantly(history)
  const owner = ownerName()
  const tryTake = async () => {
    try {
      return await adapter.withTransaction(async (tx) => {
        const holder = await tx.query<{ owner: string; expires_at: unknown }>(
          `SELECT owner, expires_at FROM ${history.lockTable} WHERE id = ?`,
          [LEASE_ROW],
        )
        if (holder.length > 0) {
          const expires =
            holder[0].expires_at instanceof Date ? holder[0].expires_at : new Date(String(holder[0].expires_at))
          const stale = expires.getTime() < Date.now() && !isAliveHere(holder[0].owner)
          if (!stale && !holderIsDeadHere(holder[0].owner)) return false
          await tx.query(`DELETE FROM ${history.lockTable} WHERE id = ?`, [LEASE_ROW])
        }
        const now = new Date()
        await tx.query(`INSERT INTO ${history.lockTable} (id, owner, acquired_at, expires_at) VALUES (?, ?, ?, ?)`, [
          LEASE_ROW,
          owner,
          now,
          new Date(now.getTime() + options.leaseMs),
        ])
        return true
      })
    } catch (error) {
      // Two takers inserting at once: the loser sees a unique violation and waits like any other.
      if (error instanceof Migr8Error && (error.code === 'QUERY_FAILED' || error.code === 'LOCK_TIMEOUT')) return false
      throw error
    }
  }
  await waitForLock(options.timeoutMs, ctx, tryTake, () => readHolder(history, adapter, LEASE_ROW))
  const heartbeat = setInterval(
    () => {
      adapter
        .query(`UPDATE ${history.lockTable} SET expires_at = ? WHERE id = ? AND owner = ?`, [
          new Date(Date.now() + options.leaseMs),
          LEASE_ROW,
          owner,
        ])
        .catch((error: Error) => ctx.onLog?.('warn', `could not renew the migration lease: ${error.message}`))
    },
    Math.max(250, Math.floor(options.leaseMs / 3)),
  )
  heartbeat.unref()
  return {
    release: async () => {
      clearInterval(heartbeat)
      await adapter.query(`DELETE FROM ${history.lockTable} WHERE id = ? AND owner = ?`, [LEASE_ROW, owner])
    },
  }
}

/** A live holder on this host keeps its lease even past expiry (a long SQLite statement blocks its heartbeat). */
function isAliveHere(owner: string): boolean {
  return owner.includes(`@${HOST} pid `) && !holderIsDeadHere(owner)
}

/** Without a lock yet, concurrent first runs may race to create the tables; the loser retries. */
async function ensureTablesTolerantly(history: HistoryStore): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await history.ensure()
      return
    } catch (error) {
      if (attempt >= 5) throw error
      await sleep(20 + Math.random() * 50)
    }
  }
}

export async function acquireMigrationLock(
  adapter: Adapter,
  history: HistoryStore,
  options: LockOptions,
  ctx: RunContext,
): Promise<MigrationLock> {
  if (options.mode === 'none') {
    await history.ensure()
    return { release: async () => undefined }
  }
  if (options.mode === 'session' && adapter.tryAdvisoryLock && adapter.releaseAdvisoryLock)
    return acquireSessionLock(adapter, history, options, ctx)
  return acquireLease(adapter, history, options, ctx)
}

/** Who holds the lock now, for `status` and the app ("held by … since …"). */
export async function currentLockHolder(
  adapter: Adapter,
  history: HistoryStore,
  key: string,
): Promise<LockHolder | undefined> {
  try {
    const lease = await readHolder(history, adapter, LEASE_ROW)
    if (lease) return lease
    const note = await readHolder(history, adapter, HOLDER_NOTE_ROW)
    if (!note || !adapter.tryAdvisoryLock || !adapter.releaseAdvisoryLock) return note
    // A holder killed with -9 leaves its note behind while the server has freed its lock: probe the lock itself.
    const free = await adapter.withSession(async (session) => {
      const taken = await adapter.tryAdvisoryLock!(session, key)
      if (taken) await adapter.releaseAdvisoryLock!(session, key)
      return taken
    })
    return free ? undefined : note
  } catch {
    return undefined
  }
}
