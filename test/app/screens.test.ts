/**
 * The calls behind the Migrations, Backups and Seeds screens, through the dispatcher on SQLite (no
 * browser): dry-run previews change nothing, runs are jobs, the production safety net takes a
 * labelled backup before destructive steps and hands back its id, confirmations and read-only
 * profiles are enforced, and the browser's "reveal" answers with the path to open by hand.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Channel, CallResult } from '../../src-shared/contract.js'
import { tokenize } from '../../src-renderer/src/screens/sql.js'
import { makeApi, tempDir } from './support.js'

type Dispatch = (channel: Channel, input: unknown) => Promise<CallResult>

async function value<T>(dispatch: Dispatch, channel: Channel, input: unknown): Promise<T> {
  const result = await dispatch(channel, input)
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`)
  return result.value as T
}

async function setup(
  options: { environment?: 'production' | 'development'; safetyBackups?: boolean; readOnly?: boolean } = {},
) {
  const api = await makeApi()
  const project = tempDir('migr8-screens-')
  mkdirSync(join(project, 'migrations'))
  mkdirSync(join(project, 'seeds'))
  writeFileSync(
    join(project, 'migrations', '000001_items.up.sql'),
    'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n',
  )
  writeFileSync(join(project, 'migrations', '000001_items.down.sql'), 'DROP TABLE items;\n')
  writeFileSync(join(project, 'migrations', '000002_seed.up.sql'), "INSERT INTO items VALUES (1, 'one');\n")
  writeFileSync(join(project, 'migrations', '000002_seed.down.sql'), 'DELETE FROM items;\n')
  writeFileSync(join(project, 'seeds', 'items.csv'), 'id,name\n2,two\n3,three\n')
  const profile = await api.context.profiles.save({
    name: 'Shop',
    driver: 'sqlite',
    database: join(project, 'shop.sqlite'),
    ssl: { mode: 'disable' },
    environment: options.environment ?? 'development',
    folders: {
      migrations: join(project, 'migrations'),
      seeds: join(project, 'seeds'),
      backups: join(project, 'backups'),
    },
    readOnly: options.readOnly ?? false,
    passwordMode: 'none',
    safetyBackups: options.safetyBackups,
  })
  const dispatch = api.dispatch as Dispatch
  const job = async (channel: Channel, input: unknown) => {
    const { jobId } = await value<{ jobId: string }>(dispatch, channel, input)
    return api.context.jobs.wait(jobId)
  }
  return { ...api, dispatch, project, profileId: profile.id, job }
}

describe('SQL highlighter', () => {
  it('tells keywords, strings, quoted identifiers, numbers and comments apart', () => {
    const tokens = tokenize(`SELECT "Name", 'it''s' -- note\nFROM t WHERE n = 42 /* c */`)
    const kinds = tokens.filter((token) => token.kind !== 'text').map((token) => `${token.kind}:${token.text}`)
    expect(kinds).toEqual([
      'kw:SELECT',
      'ident:"Name"',
      "str:'it''s'",
      'comment:-- note',
      'kw:FROM',
      'kw:WHERE',
      'num:42',
      'comment:/* c */',
    ])
    expect(tokens.map((token) => token.text).join('')).toBe(
      `SELECT "Name", 'it''s' -- note\nFROM t WHERE n = 42 /* c */`,
    )
  })
})

describe('migrations calls', () => {
  it('previews the exact SQL without touching the database, then runs as a job', async () => {
    const { dispatch, profileId, job, project } = await setup()
    const preview = await value<{ sql: string }>(dispatch, 'migrations.preview', { profileId, action: 'up' })
    expect(preview.sql).toContain('CREATE TABLE items')
    const before = await value<{ pending: number }>(dispatch, 'migrations.status', { profileId })
    expect(before.pending).toBe(2)
    const done = await job('migrations.run', { profileId, action: 'up', to: '000001' })
    expect(done?.state).toBe('done')
    const after = await value<{ current: string; pending: number }>(dispatch, 'migrations.status', { profileId })
    expect(after).toMatchObject({ current: '000001', pending: 1 })
    const detail = await value<{ up: string; down: string; checksum: { recorded: string; current: string } }>(
      dispatch,
      'migrations.detail',
      { profileId, version: '000001' },
    )
    expect(detail.down).toContain('DROP TABLE items')
    expect(detail.checksum.recorded).toBe(detail.checksum.current)
    writeFileSync(join(project, 'migrations', '000001_items.up.sql'), 'CREATE TABLE items (id INTEGER PRIMARY KEY);\n')
    const drifted = await value<{ checksum: { recorded: string; current: string }; state: string }>(
      dispatch,
      'migrations.detail',
      { profileId, version: '000001' },
    )
    expect(drifted.state).toBe('checksum_drift')
    expect(drifted.checksum.recorded).not.toBe(drifted.checksum.current)
    expect((await value<{ ok: boolean }>(dispatch, 'migrations.validate', { profileId })).ok).toBe(false)
    await value(dispatch, 'migrations.repair', { profileId, checksums: true })
    expect((await value<{ ok: boolean }>(dispatch, 'migrations.validate', { profileId })).ok).toBe(true)
  })

  it('creates a new migration file (browser mode cannot open an editor)', async () => {
    const { dispatch, profileId } = await setup()
    const created = await value<{ files: string[]; opened: boolean }>(dispatch, 'migrations.create', {
      profileId,
      name: 'Add prices',
    })
    expect(created.opened).toBe(false)
    expect(created.files.every((file) => existsSync(file) && file.includes('add_prices'))).toBe(true)
  })

  it('refuses to run on a read-only profile', async () => {
    const { dispatch, profileId } = await setup({ readOnly: true })
    const result = await dispatch('migrations.run', { profileId, action: 'up' })
    expect(!result.ok && result.error.code).toBe('READ_ONLY_PROFILE')
  })
})

describe('safety net', () => {
  it('on production, takes a labelled backup before `down` and returns its id; undo restores it', async () => {
    const { dispatch, profileId, job } = await setup({ environment: 'production' })
    expect((await job('migrations.run', { profileId, action: 'up' }))?.state).toBe('done')
    const down = await job('migrations.run', { profileId, action: 'down' })
    const { safetyBackupId } = down?.result as { safetyBackupId?: string }
    expect(safetyBackupId).toBeTruthy()
    const list = await value<{ backups: Array<{ id: string; label?: string; migrationVersion: string | null }> }>(
      dispatch,
      'backups.list',
      { profileId },
    )
    expect(list.backups.find((backup) => backup.id === safetyBackupId)).toMatchObject({
      label: 'auto: before migrate down',
      migrationVersion: '000002',
    })
    const wrong = await dispatch('backups.restore', { profileId, id: safetyBackupId, confirm: 'nope' })
    expect(!wrong.ok && wrong.error.code).toBe('CONFIRMATION_REQUIRED')
    const undo = await job('backups.restore', { profileId, id: safetyBackupId, confirm: 'shop.sqlite' })
    expect(undo?.state).toBe('done')
    const status = await value<{ current: string }>(dispatch, 'migrations.status', { profileId })
    expect(status.current).toBe('000002')
  })

  it('takes a backup before a seed with truncate on production, none when turned off or on development', async () => {
    const production = await setup({ environment: 'production' })
    await production.job('migrations.run', { profileId: production.profileId, action: 'up' })
    const seeded = await production.job('seeds.run', { profileId: production.profileId, truncate: true })
    expect(seeded?.state).toBe('done')
    expect((seeded?.result as { safetyBackupId?: string }).safetyBackupId).toBeTruthy()

    const off = await setup({ environment: 'production', safetyBackups: false })
    await off.job('migrations.run', { profileId: off.profileId, action: 'up' })
    const down = await off.job('migrations.run', { profileId: off.profileId, action: 'down' })
    expect((down?.result as { safetyBackupId?: string }).safetyBackupId).toBeUndefined()

    // The toggle of the Backups tab turns it back on for the same profile.
    expect(await value(off.dispatch, 'backups.setSafetyNet', { profileId: off.profileId, enabled: true })).toEqual({
      enabled: true,
    })
    const redo = await off.job('migrations.run', { profileId: off.profileId, action: 'redo' })
    expect((redo?.result as { safetyBackupId?: string }).safetyBackupId).toBeTruthy()

    const dev = await setup()
    await dev.job('migrations.run', { profileId: dev.profileId, action: 'up' })
    const devDown = await dev.job('migrations.run', { profileId: dev.profileId, action: 'redo' })
    expect((devDown?.result as { safetyBackupId?: string }).safetyBackupId).toBeUndefined()
  })
})

describe('backups and seeds calls', () => {
  it('reveal in browser mode fails with the path to open by hand', async () => {
    const { dispatch, profileId, job } = await setup()
    const created = await job('backups.create', { profileId, label: 'manual' })
    const id = (created?.result as { id: string }).id
    const result = await dispatch('backups.reveal', { profileId, id })
    expect(!result.ok && result.error.code).toBe('BAD_USAGE')
    expect(!result.ok && String(result.error.details?.path)).toContain(id)
  })

  it('reveal and create go through the platform service when there is one (desktop)', async () => {
    const api = await setup()
    const shown: string[] = []
    api.context.platform = {
      reveal: async (path) => (shown.push(`reveal ${path}`), true),
      openPath: async (path) => (shown.push(`open ${path}`), true),
    }
    const created = await api.job('backups.create', { profileId: api.profileId })
    const id = (created?.result as { id: string }).id
    const revealed = await value<{ path: string }>(api.dispatch, 'backups.reveal', { profileId: api.profileId, id })
    expect(revealed.path).toContain(id)
    const migration = await value<{ files: string[]; opened: boolean }>(api.dispatch, 'migrations.create', {
      profileId: api.profileId,
      name: 'next',
    })
    expect(migration.opened).toBe(true)
    expect(shown).toEqual([`reveal ${revealed.path}`, `open ${migration.files[0]}`])
  })

  it('lists seeds in order, previews an uploaded file, refuses path-like upload names', async () => {
    const { dispatch, profileId } = await setup()
    const list = await value<{ seeds: Array<{ name: string; table: string }> }>(dispatch, 'seeds.list', { profileId })
    expect(list.seeds).toMatchObject([{ name: 'items.csv', table: 'items' }])
    const uploaded = await value<{ file: string }>(dispatch, 'seeds.upload', {
      profileId,
      name: 'items.csv',
      text: 'id;name\n7;seven\nx;bad\n',
    })
    const preview = await value<{ delimiter: string; columns: unknown[]; badRows: Array<{ line: number }> }>(
      dispatch,
      'seeds.preview',
      { profileId, file: uploaded.file },
    )
    expect(preview.delimiter).toBe(';')
    expect(preview.columns).toHaveLength(2)
    // Pieces: browser mode caps a request at 1 MB, so the window uploads in parts.
    await value(dispatch, 'seeds.upload', { profileId, name: 'more.csv', text: 'id,name\n1,o' })
    const joined = await value<{ file: string; bytes: number }>(dispatch, 'seeds.upload', {
      profileId,
      name: 'more.csv',
      text: 'ne\n2,two\n',
      append: true,
    })
    expect(joined.bytes).toBe('id,name\n1,one\n2,two\n'.length)
    const rows = await value<{ rows: unknown[][] }>(dispatch, 'seeds.preview', { profileId, file: joined.file })
    expect(rows.rows).toEqual([
      ['1', 'one'],
      ['2', 'two'],
    ])
    // Only the seeds folder and this profile's uploads can be read.
    const outside = await dispatch('seeds.preview', { profileId, file: '/etc/hostname' })
    expect(!outside.ok && outside.error.code).toBe('PATH_INVALID')
    const escape = await dispatch('seeds.preview', { profileId, file: '../migrations/000001_items.up.sql' })
    expect(!escape.ok && escape.error.code).toBe('PATH_INVALID')
    const evil = await dispatch('seeds.upload', { profileId, name: '../../evil.csv', text: 'a\n' })
    expect(!evil.ok && evil.error.code).toBe('IPC_INVALID')
  })
})
