import { describe, expect, it } from 'vitest'
import type { JobEventT } from '../../src-shared/contract.js'
import { Migr8Error, throwIfAborted } from '../../src-shared/errors.js'
import { JobRunner } from '../../src-main/jobs/index.js'
import { makeApi } from './support.js'

function collect(runner: JobRunner): JobEventT[] {
  const events: JobEventT[] = []
  runner.subscribe((event) => events.push(event))
  return events
}

describe('job runner', () => {
  it('returns an id at once, then reports progress, log lines and the result', async () => {
    const runner = new JobRunner()
    const events = collect(runner)
    const { jobId } = runner.start('demo', 'Demo job', async (_signal, progress, log) => {
      progress({ phase: 'working', done: 1, total: 2 })
      log('info', 'halfway')
      return { answer: 42 }
    })
    expect(runner.get(jobId)?.state).toBe('running')
    const summary = await runner.wait(jobId)
    expect(summary).toMatchObject({
      state: 'done',
      result: { answer: 42 },
      progress: { phase: 'working', done: 1, total: 2 },
    })
    expect(events.map((event) => event.type)).toEqual(['started', 'progress', 'log', 'done'])
    expect(events.every((event) => event.jobId === jobId)).toBe(true)
  })

  it('reports failures as error payloads', async () => {
    const runner = new JobRunner()
    const events = collect(runner)
    const { jobId } = runner.start('demo', 'Failing', async () => {
      throw new Migr8Error('LOCK_TIMEOUT', 'locked', 'wait')
    })
    expect(await runner.wait(jobId)).toMatchObject({
      state: 'failed',
      error: { code: 'LOCK_TIMEOUT', message: 'locked', remedy: 'wait' },
    })
    expect(events.at(-1)).toEqual({
      type: 'failed',
      jobId,
      error: { code: 'LOCK_TIMEOUT', message: 'locked', remedy: 'wait' },
    })
  })

  it('cancels through the AbortSignal', async () => {
    const runner = new JobRunner()
    const events = collect(runner)
    const { jobId } = runner.start('demo', 'Long', async (signal) => {
      for (;;) {
        throwIfAborted(signal)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(runner.cancel(jobId)).toBe(true)
    expect(await runner.wait(jobId)).toMatchObject({ state: 'cancelled' })
    expect(runner.cancel(jobId)).toBe(false)
    expect(runner.cancel('nope')).toBe(false)
    expect(events.filter((event) => event.type === 'cancelled')).toHaveLength(1)
    expect(events.some((event) => event.type === 'failed')).toBe(false)
  })

  it('keeps going when a subscriber throws, and stops sending after unsubscribe', async () => {
    const runner = new JobRunner()
    runner.subscribe(() => {
      throw new Error('closed socket')
    })
    const events: JobEventT[] = []
    const unsubscribe = runner.subscribe((event) => events.push(event))
    const first = runner.start('demo', 'one', async () => 1)
    await runner.wait(first.jobId)
    unsubscribe()
    const second = runner.start('demo', 'two', async () => 2)
    await runner.wait(second.jobId)
    expect(events.map((event) => event.jobId)).toEqual([first.jobId, first.jobId])
    expect(runner.list().map((job) => job.title)).toEqual(['two', 'one'])
  })

  it('forgets the oldest finished jobs beyond the limit', async () => {
    const runner = new JobRunner({ keepFinished: 2 })
    for (const title of ['a', 'b', 'c']) await runner.wait(runner.start('demo', title, async () => title).jobId)
    expect(runner.list().map((job) => job.title)).toEqual(['c', 'b'])
  })

  it('is reachable through the contract: testAll job and jobs.cancel', async () => {
    const { dispatch, context } = await makeApi({ demo: true })
    const events = collect(context.jobs)
    const started = await dispatch('profiles.testAll', undefined)
    expect(started.ok).toBe(true)
    if (!started.ok) return
    const { jobId } = started.value as { jobId: string }
    const summary = await context.jobs.wait(jobId)
    expect(summary?.state).toBe('done')
    expect(summary?.result).toEqual([expect.objectContaining({ name: 'Demo (SQLite)', ok: true })])
    expect(events.map((event) => event.type)).toContain('done')
    const listed = await dispatch('jobs.list', undefined)
    expect(listed.ok && listed.value).toHaveLength(1)
    expect(await dispatch('jobs.cancel', { jobId })).toEqual({ ok: true, value: { cancelled: false } })
  })
})

describe('migrations.status', () => {
  it('reads the demo profile status through the migration engine, read-only', async () => {
    const { dispatch, context } = await makeApi({ demo: true })
    const [demo] = context.profiles.list()
    const result = await dispatch('migrations.status', { profileId: demo.id })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const status = result.value as { pending: number; entries: Array<{ name: string; state: string }> }
    expect(status.entries.map((entry) => entry.state)).toEqual(['pending', 'pending', 'pending'])
    expect(status.entries[0].name).toBe('create_customers')
    expect(status.pending).toBe(3)
  })

  it('explains a profile without a migrations folder', async () => {
    const { dispatch, context } = await makeApi()
    const saved = await context.profiles.save({
      name: 's',
      driver: 'sqlite',
      database: ':memory:',
      ssl: { mode: 'disable' },
      environment: 'development',
      folders: {},
      readOnly: false,
      passwordMode: 'none',
    })
    const result = await dispatch('migrations.status', { profileId: saved.id })
    expect(!result.ok && result.error.code).toBe('PATH_INVALID')
  })
})
