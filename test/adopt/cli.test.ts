import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { registerAdoptCommand } from '../../src-main/cli/commands/adopt.js'
import { registerMigrateCommands } from '../../src-main/cli/commands/migrate.js'
import { openAdapter } from '../../src-main/db/index.js'
import {
  createTables,
  flywayApplied,
  flywayFiles,
  flywayTable,
  golangMigrateFiles,
  golangMigrateTable,
} from './tools.js'

/** The CLI as main.ts builds it, with `adopt` registered, run in-process so its output can be read. */
async function migr8(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = new Command('migr8')
    .option('-c, --config <file>')
    .option('--url <url>')
    .option('--json')
    .option('-v, --verbose')
    .option('--wait [duration]')
    .exitOverride()
  registerMigrateCommands(program)
  registerAdoptCommand(program)
  let stdout = ''
  let stderr = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true))
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true))
  process.exitCode = 0
  try {
    await program.parseAsync(['node', 'migr8', ...args])
  } finally {
    out.mockRestore()
    err.mockRestore()
  }
  const code = Number(process.exitCode ?? 0)
  process.exitCode = 0
  return { code, stdout, stderr }
}

/** A project folder with migr8.yaml, a SQLite database and a migrations folder. */
function project(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'migr8-adopt-cli-'))
  const migrations = join(root, 'migrations')
  const database = join(root, 'app.sqlite')
  writeFileSync(
    join(root, 'migr8.yaml'),
    `database:\n  driver: sqlite\n  url: sqlite:${database}\nmigrations:\n  dir: ./migrations\n`,
  )
  mkdirSync(migrations)
  for (const [name, text] of Object.entries(files)) writeFileSync(join(migrations, name), text)
  return { config: join(root, 'migr8.yaml'), database }
}

afterEach(() => vi.restoreAllMocks())

describe('migr8 adopt (CLI)', () => {
  it('previews with --dry-run, imports, then migrate status/up work; a second adopt is refused', async () => {
    const { config, database } = project(golangMigrateFiles('cli'))
    const adapter = await openAdapter({
      driver: 'sqlite',
      host: '',
      port: 0,
      database,
      user: '',
      ssl: { mode: 'disable' },
      connectTimeoutMs: 5_000,
      poolMax: 1,
    })
    await createTables(adapter, 'cli', [1, 2])
    await golangMigrateTable(adapter, 2, false)
    await adapter.close()

    const dry = await migr8(['--config', config, 'adopt', '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stdout).toContain('Found golang-migrate history in schema_migrations')
    expect(dry.stdout).toMatch(/001\s+create_t1\s+applied/)
    expect(dry.stdout).toMatch(/003\s+create_t3\s+pending/)
    expect(dry.stdout).toContain('Dry run: nothing written')

    const run = await migr8(['--config', config, '--json', 'adopt', '--from', 'golang-migrate'])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({
      dryRun: false,
      imported: ['001', '002'],
      plan: { from: 'golang-migrate' },
    })

    const status = await migr8(['--config', config, '--json', 'migrate', 'status', '--journal'])
    const parsed = JSON.parse(status.stdout)
    expect(parsed.entries.map((e: { state: string }) => e.state)).toEqual(['applied', 'applied', 'pending'])
    expect(parsed.journal[0].detail).toMatch(/^adopted from golang-migrate/)

    const up = await migr8(['--config', config, 'migrate', 'up'])
    expect(up.stdout).toMatch(/applied\s+003_create_t3/)

    const again = await migr8(['--config', config, 'adopt'])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/error \[BAD_USAGE\]: Migr8's history .* already has 3 row/)
  })

  it('prints the resume/repair choices for a failed Flyway migration', async () => {
    const { config, database } = project(flywayFiles('clf'))
    const adapter = await openAdapter({
      driver: 'sqlite',
      host: '',
      port: 0,
      database,
      user: '',
      ssl: { mode: 'disable' },
      connectTimeoutMs: 5_000,
      poolMax: 1,
    })
    await createTables(adapter, 'clf', [1])
    await flywayTable(adapter, [flywayApplied(1), flywayApplied(2, false)])
    await adapter.close()
    const run = await migr8(['--config', config, 'adopt'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/2\s+create_t2\s+STOPPED/)
    expect(run.stdout).toContain('`migr8 migrate repair --mark-applied 2`')
    const status = await migr8(['--config', config, 'migrate', 'status'])
    expect(status.stdout).toContain('problem: 2_create_t2: stopped after statement 0 of 1 (failed in Flyway)')
  })
})
