import type { Session } from './adapter.js'

/**
 * Runs `fn` between BEGIN and COMMIT on one session; on any error rolls back and rethrows the
 * original error (a failing ROLLBACK, e.g. on a dead connection, must not hide it).
 */
export async function inTransaction<S extends Pick<Session, 'begin' | 'commit' | 'rollback'>, T>(
  session: S,
  fn: (session: S) => Promise<T>,
): Promise<T> {
  await session.begin()
  try {
    const result = await fn(session)
    await session.commit()
    return result
  } catch (error) {
    await session.rollback().catch(() => undefined)
    throw error
  }
}
