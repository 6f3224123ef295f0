import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionConfig } from '../../src-main/config/schema.js'
import type { Adapter } from '../../src-main/db/adapter.js'
import { openAdapter } from '../../src-main/db/index.js'
import { CLI, buildCli, runCli } from '../support/cli.js'
import { availableDialects, dropDatabase, uniqueName, useDatabase } from '../support/databases.js'
import { fingerprint, seedDatabase } from './fixtures.js'

/** The restored database holds what the source holds; a server database is dropped afterwards. */
async function expectRestoredCopy(adapter: Adapter, restored: ConnectionConfig, drop: boolean): Promise<void> {
  try {
    const copy = await openAdapter(restored)
    try {
      expect(await fingerprint(copy)).toEqual(await fingerprint(adapter))
    } finally {
      await copy.close()
    }
  } finally {
    if (drop) await dropDatabase(restored)
  }
}

const dialects = await availableDialects()

function projectFor(connection: ConnectionConfig): string {
  const dir = mkdtempSync(join(tmpdir(), 'migr8-cli-backup-'))
  const database =
    connection.driver === 'sqlite'
      ? `  driver: sqlite\n  name: ${connection.database}\n`
      : `  driver: ${connection.driver}\n  host: ${connection.host}\n  port: ${connection.port}\n  user: ${connection.user}\n  name: ${connection.database}\n  ssl:\n    mode: disable\n`
  writeFileSync(join(dir, 'migr8.yaml'), `database:\n${database}backups:\n  dir: backups\n`)
  return dir
}

beforeAll(() => buildCli())

describe.each(dialects)('%s: migr8 backup CLI', (dialect) => {
  const db = useDatabase(dialect)

  it('create, list, verify, restore --target-db, refuse without --force, clean, delete', async () => {
    const adapter = await db.open()
    await seedDatabase(adapter, 30)
    const cwd = projectFor(db.connection)
    const created = await runCli(['--json', 'backup', 'create', '--label', 'from cli', '--compress', 'gzip'], { cwd })
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    const record = JSON.parse(created.stdout)
    expect(record.label).toBe('from cli')

    const listed = await runCli(['--json', 'backup', 'list'], { cwd })
    expect(JSON.parse(listed.stdout).backups.map((b: { id: string }) => b.id)).toEqual([record.id])
    const human = await runCli(['backup', 'list'], { cwd })
    expect(human.stdout).toContain(record.id)

    const verified = await runCli(['backup', 'verify', record.id], { cwd })
    expect(verified.code).toBe(0)
    expect(verified.stdout).toContain('verified')

    const refused = await runCli(['backup', 'restore', record.id], { cwd })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('CONFIRMATION_REQUIRED')

    const target = dialect === 'sqlite' ? join(cwd, 'restored.sqlite') : uniqueName('migr8_cli')
    const restored = await runCli(['--json', 'backup', 'restore', record.id, '--target-db', target], { cwd })
    expect(restored.stderr).toBe('')
    expect(restored.code).toBe(0)
    await expectRestoredCopy(adapter, { ...db.connection, database: target }, dialect !== 'sqlite')

    const second = JSON.parse((await runCli(['--json', 'backup', 'create', '--no-compress'], { cwd })).stdout)
    expect(second.compression).toBe('none')
    const dry = JSON.parse((await runCli(['--json', 'backup', 'clean', '--keep', '1', '--dry-run'], { cwd })).stdout)
    // The first backup is the newest verified one: kept whatever --keep says.
    expect(dry.deleted).toEqual([])
    expect(dry.protected.map((b: { id: string }) => b.id)).toEqual([record.id])
    const badAge = await runCli(['backup', 'clean', '--max-age', 'soon'], { cwd })
    expect(badAge.code).toBe(2)

    const deleted = await runCli(['backup', 'delete', second.id], { cwd })
    expect(deleted.code).toBe(0)
    expect(readdirSync(join(cwd, 'backups')).filter((name) => name.startsWith(second.id))).toEqual([])
    const traversal = await runCli(['backup', 'delete', '../../etc/passwd'], { cwd })
    expect(traversal.code).toBe(1)
    expect(traversal.stderr).toContain('PATH_INVALID')
  })

  it('--format directory: PostgreSQL dumps and restores in parallel; other databases refuse it', async () => {
    const adapter = await db.open()
    if (!(await adapter.describeTable('items'))) await seedDatabase(adapter, 30)
    const cwd = projectFor(db.connection)
    if (dialect !== 'postgres') {
      const refused = await runCli(['backup', 'create', '--format', 'directory'], { cwd })
      expect(refused.code).toBe(2)
      expect(refused.stderr).toContain('BAD_USAGE')
      expect(refused.stderr).toMatch(/directory format .*PostgreSQL only/)
      expect(existsSync(join(cwd, 'backups')) ? readdirSync(join(cwd, 'backups')) : []).toEqual([])
      return
    }
    const created = await runCli(['--json', 'backup', 'create', '--format', 'directory', '--jobs', '2'], { cwd })
    expect(created.stderr).toBe('')
    expect(created.code).toBe(0)
    const record = JSON.parse(created.stdout)
    expect(record.format).toBe('directory')
    const human = await runCli(['backup', 'list'], { cwd })
    expect(human.stdout).toContain('directory/gzip')
    const badJobs = await runCli(['backup', 'create', '--jobs', '2'], { cwd })
    expect(badJobs.code).toBe(2)
    expect(badJobs.stderr).toContain('--format directory')
    const verified = await runCli(['backup', 'verify', record.id], { cwd })
    expect(verified.stdout).toContain('pg_restore -f /dev/null')
    const target = uniqueName('migr8_cli_dir')
    const restored = await runCli(['backup', 'restore', record.id, '--target-db', target, '--jobs', '2'], { cwd })
    expect(restored.stderr).toBe('')
    expect(restored.code).toBe(0)
    await expectRestoredCopy(adapter, { ...db.connection, database: target }, true)
    const deleted = await runCli(['backup', 'delete', record.id], { cwd })
    expect(deleted.code).toBe(0)
    expect(readdirSync(join(cwd, 'backups'))).toEqual([])
  })

  it.skipIf(dialect === 'sqlite')(
    'a migr8 process killed mid-backup leaves only a reported leftover, never a listed backup',
    async () => {
      const adapter = await db.open()
      const big =
        dialect === 'postgres'
          ? 'CREATE TABLE cli_big AS SELECT g AS id, repeat(md5(g::text), 8) AS t FROM generate_series(1, 300000) g'
          : 'CREATE TABLE cli_big AS SELECT REPEAT(md5(rand()), 8) AS t FROM information_schema.COLUMNS a, information_schema.COLUMNS b LIMIT 300000'
      await adapter.withSession((s) => s.execute(big))
      const modes =
        dialect === 'postgres'
          ? [
              ['--compress', 'gzip'],
              ['--format', 'directory'],
            ]
          : [['--compress', 'gzip']]
      for (const mode of modes) {
        const cwd = projectFor(db.connection)
        const child = spawn(process.execPath, [CLI, 'backup', 'create', ...mode], { cwd, stdio: 'ignore' })
        const dir = join(cwd, 'backups')
        // Wait until the temporary file (or folder) exists, then kill the CLI without giving it a chance to clean up.
        const deadline = Date.now() + 30_000
        while (
          Date.now() < deadline &&
          !(existsSync(dir) && readdirSync(dir).some((name) => name.endsWith('.partial')))
        ) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        child.kill('SIGKILL')
        await new Promise((resolve) => child.once('close', resolve))
        // A streaming dump tool, orphaned, ends at its next write into the closed pipe; pg_dump -Fd may
        // finish its folder, which keeps its temporary name all the same.
        const listed = JSON.parse((await runCli(['--json', 'backup', 'list'], { cwd })).stdout)
        expect(listed.backups).toEqual([])
        expect(listed.problems.map((p: { kind: string }) => p.kind)).toContain('leftover-partial')
      }
    },
  )
})
