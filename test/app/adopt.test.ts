/**
 * The "Adopt" calls behind the Migrations screen, through the dispatcher on SQLite: detection and the
 * preview only read, the run is a job that imports golang-migrate's history into Migr8's, the
 * timeline (migrations.status) then shows those versions applied, and golang-migrate's table is untouched.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CallResult, Channel, Output } from '../../src-shared/contract.js'
import { openAdapter } from '../../src-main/db/index.js'
import { createTables, golangMigrateFiles, golangMigrateTable, tableExists } from '../adopt/tools.js'
import { makeApi, tempDir } from './support.js'

type Dispatch = (channel: Channel, input: unknown) => Promise<CallResult>

async function value<T>(dispatch: Dispatch, channel: Channel, input: unknown): Promise<T> {
  const result = await dispatch(channel, input)
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`)
  return result.value as T
}

async function setup(options: { readOnly?: boolean; version?: number; dirty?: boolean } = {}) {
  const api = await makeApi()
  const project = tempDir('migr8-adopt-app-')
  const migrations = join(project, 'migrations')
  mkdirSync(migrations)
  for (const [file, sql] of Object.entries(golangMigrateFiles('gm'))) writeFileSync(join(migrations, file), sql)
  const profile = await api.context.profiles.save({
    name: 'Legacy',
    driver: 'sqlite',
    database: join(project, 'legacy.sqlite'),
    ssl: { mode: 'disable' },
    environment: 'development',
    folders: { migrations },
    readOnly: options.readOnly ?? false,
    passwordMode: 'none',
  })
  const connection = api.context.profiles.connectionFor(api.context.profiles.get(profile.id))
  const adapter = await openAdapter(connection)
  try {
    if (options.version !== undefined) {
      await createTables(adapter, 'gm', [1, 2].slice(0, options.version))
      await golangMigrateTable(adapter, options.version, options.dirty ?? false)
    }
  } finally {
    await adapter.close()
  }
  const dispatch = api.dispatch as Dispatch
  /** golang-migrate's table, row for row (to prove adopt only reads it), and whether Migr8's table exists. */
  const inspect = async () => {
    const db = await openAdapter(connection)
    try {
      const rows = await db.query('SELECT version, dirty FROM schema_migrations')
      return { rows: JSON.stringify(rows), migr8: await tableExists(db, 'migr8_migrations') }
    } finally {
      await db.close()
    }
  }
  return { ...api, dispatch, profileId: profile.id, inspect }
}

describe('adopt calls', () => {
  it('detects golang-migrate, previews, adopts as a job, and the timeline shows the imported versions', async () => {
    const { dispatch, context, profileId, inspect } = await setup({ version: 2 })
    const before = await inspect()
    expect(before.migr8).toBe(false)

    const detections = await value<Output<'adopt.detect'>>(dispatch, 'adopt.detect', { profileId })
    expect(detections).toEqual([{ tool: 'golang-migrate', table: 'schema_migrations', rows: 1, summary: 'version 2' }])

    const plan = await value<Output<'adopt.plan'>>(dispatch, 'adopt.plan', { profileId })
    expect(plan).toMatchObject({
      from: 'golang-migrate',
      table: 'schema_migrations',
      applied: ['001', '002'],
      stopped: [],
      rowsWithoutFile: [],
      existingMigr8Rows: 0,
      toImport: 2,
    })
    expect(plan.filesWithoutRow.map((file) => file.version)).toEqual(['003'])
    expect(plan.entries.map((entry) => [entry.version, entry.state, entry.action])).toEqual([
      ['001', 'applied', 'import'],
      ['002', 'applied', 'import'],
      ['003', 'pending', 'none'],
    ])
    // Detection and the preview write nothing.
    expect(await inspect()).toEqual(before)

    const { jobId } = await value<{ jobId: string }>(dispatch, 'adopt.run', { profileId, from: 'golang-migrate' })
    const job = await context.jobs.wait(jobId)
    expect(job?.state).toBe('done')
    expect(job?.result).toMatchObject({
      from: 'golang-migrate',
      table: 'schema_migrations',
      imported: ['001', '002'],
      kept: [],
      filesWithoutRow: 1,
    })

    const status = await value<Output<'migrations.status'>>(dispatch, 'migrations.status', { profileId })
    expect(status.current).toBe('002')
    expect(status.pending).toBe(1)
    expect(status.entries.map((entry) => [entry.version, entry.state])).toEqual([
      ['001', 'applied'],
      ['002', 'applied'],
      ['003', 'pending'],
    ])
    const after = await inspect()
    expect(after.rows).toBe(before.rows)
    expect(after.migr8).toBe(true)

    // A second adopt is refused: Migr8 has history now (force imports only what it lacks: nothing).
    const again = await context.jobs.wait(
      (await value<{ jobId: string }>(dispatch, 'adopt.run', { profileId, from: 'golang-migrate' })).jobId,
    )
    expect(again?.state).toBe('failed')
    const forced = await value<Output<'adopt.plan'>>(dispatch, 'adopt.plan', { profileId, force: true })
    expect(forced).toMatchObject({ existingMigr8Rows: 2, toImport: 0 })
  })

  it('a dirty version is previewed as stopped and imported as a partial migration', async () => {
    const { dispatch, context, profileId } = await setup({ version: 2, dirty: true })
    const plan = await value<Output<'adopt.plan'>>(dispatch, 'adopt.plan', { profileId, from: 'golang-migrate' })
    expect(plan.stopped).toEqual([{ version: '002', name: 'create_t2', reason: 'dirty in golang-migrate' }])
    const { jobId } = await value<{ jobId: string }>(dispatch, 'adopt.run', { profileId, from: 'golang-migrate' })
    expect((await context.jobs.wait(jobId))?.state).toBe('done')
    const status = await value<Output<'migrations.status'>>(dispatch, 'migrations.status', { profileId })
    expect(status.entries.map((entry) => entry.state)).toEqual(['applied', 'partial', 'pending'])
  })

  it('finds nothing on a fresh database, and a read-only profile cannot adopt', async () => {
    const fresh = await setup()
    expect(await value(fresh.dispatch, 'adopt.detect', { profileId: fresh.profileId })).toEqual([])

    const readOnly = await setup({ version: 1, readOnly: true })
    expect(await value(readOnly.dispatch, 'adopt.plan', { profileId: readOnly.profileId })).toMatchObject({
      toImport: 1,
    })
    const refused = await readOnly.dispatch('adopt.run', { profileId: readOnly.profileId, from: 'golang-migrate' })
    expect(refused.ok ? undefined : refused.error.code).toBe('READ_ONLY_PROFILE')
    expect((await readOnly.inspect()).migr8).toBe(false)
  })
})
