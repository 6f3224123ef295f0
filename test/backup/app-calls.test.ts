/**
 * The app's `backups.create` call takes the format the Backups screen offers: `directory` runs the
 * parallel pg_dump on a PostgreSQL profile, fails as a job with BAD_USAGE elsewhere, and anything
 * else is refused by the contract before a job starts.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CallResult, Channel } from '../../src-shared/contract.js'
import { makeApi, tempDir } from '../app/support.js'
import { availableDialects, useDatabase } from '../support/databases.js'

type Dispatch = (channel: Channel, input: unknown) => Promise<CallResult>

const dialects = await availableDialects(['postgres', 'sqlite'])

describe.each(dialects)('%s: backups.create with a format', (dialect) => {
  const db = useDatabase(dialect)

  async function setup() {
    const api = await makeApi()
    const project = tempDir('migr8-app-backups-')
    const connection = db.connection
    const profile = await api.context.profiles.save({
      name: 'Shop',
      driver: dialect,
      database: connection.database,
      ...(dialect === 'postgres' ? { host: connection.host, port: connection.port, user: connection.user } : {}),
      ssl: { mode: 'disable' },
      environment: 'development',
      folders: { backups: join(project, 'backups') },
      readOnly: false,
      passwordMode: 'none',
    })
    const dispatch = api.dispatch as Dispatch
    const job = async (input: Record<string, unknown>) => {
      const started = await dispatch('backups.create', { profileId: profile.id, ...input })
      if (!started.ok) return { refused: started.error }
      return { job: await api.context.jobs.wait((started.value as { jobId: string }).jobId) }
    }
    return { job }
  }

  it('directory: made on PostgreSQL, a BAD_USAGE job elsewhere; unknown formats refused by the contract', async () => {
    const { job } = await setup()
    const made = await job({ format: 'directory', label: 'from the app' })
    if (dialect === 'postgres') {
      expect(made.job?.state).toBe('done')
      expect(made.job?.result).toMatchObject({ format: 'directory', label: 'from the app' })
    } else {
      expect(made.job?.state).toBe('failed')
      expect(made.job?.error?.code).toBe('BAD_USAGE')
      expect(made.job?.error?.message).toMatch(/PostgreSQL only/)
    }
    const refused = await job({ format: 'tar' })
    expect(refused.refused?.code).toBe('IPC_INVALID')
  })
})
