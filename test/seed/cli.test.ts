import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { registerSeedCommands } from '../../src-main/cli/commands/seed.js'
import { seedFolder } from './support.js'

const EXAMPLES = join(import.meta.dirname, '../../examples')

/** Runs `migr8 …args` in-process against a demo SQLite project; returns stdout and the exit code. */
async function migr8(dir: string, ...args: string[]): Promise<{ stdout: string; code: number }> {
  const program = new Command('migr8')
    .option('-c, --config <file>')
    .option('--url <url>')
    .option('--json')
    .option('-v, --verbose')
    .option('--wait [duration]')
    .exitOverride()
  registerSeedCommands(program)
  let stdout = ''
  const write = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true))
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
  const before = process.exitCode
  try {
    process.exitCode = 0
    await program.parseAsync(['node', 'migr8', '--config', join(dir, 'migr8.yaml'), ...args])
    return { stdout, code: Number(process.exitCode ?? 0) }
  } finally {
    process.exitCode = before
    write.mockRestore()
    stderr.mockRestore()
  }
}

function project(): string {
  const dir = seedFolder({})
  for (const name of ['01_customers.csv', '02_orders.yaml'])
    copyFileSync(join(EXAMPLES, 'seeds', name), join(dir, 'seeds', name))
  writeFileSync(
    join(dir, 'migr8.yaml'),
    `database:\n  driver: sqlite\n  name: ${join(dir, 'demo.sqlite')}\nseeds:\n  dir: seeds\n`,
  )
  return dir
}

async function createDemoSchema(dir: string): Promise<void> {
  const Database = (await import('better-sqlite3')).default
  const db = new Database(join(dir, 'demo.sqlite'))
  for (const file of ['20250101000000_create_customers.up.sql', '20250102000000_create_orders.up.sql'])
    db.exec(readFileSync(join(EXAMPLES, 'migrations', file), 'utf8'))
  db.close()
}

describe('migr8 seed (CLI)', () => {
  afterEach(() => vi.restoreAllMocks())

  it('lists, previews, runs and generates on the demo SQLite profile', async () => {
    const dir = project()
    await createDemoSchema(dir)
    const list = await migr8(dir, 'seed', 'list')
    expect(list.stdout).toMatch(/01_customers\.csv\s+customers\s+csv/)
    expect(list.stdout).toMatch(/02_orders\.yaml\s+orders\s+yaml/)

    const preview = await migr8(dir, '--json', 'seed', 'preview', join(dir, 'seeds', '01_customers.csv'), '--rows', '3')
    const parsed = JSON.parse(preview.stdout)
    expect(parsed.rows).toHaveLength(3)
    expect(parsed.columns[0]).toMatchObject({ name: 'id', inferredType: 'integer', target: { type: 'integer' } })

    const run = await migr8(dir, 'seed', 'run')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/loaded\s+01_customers\.csv → customers: 20 rows/)
    expect(run.stdout).toMatch(/loaded\s+02_orders\.yaml → orders: 6 rows/)

    const again = await migr8(dir, '--json', 'seed', 'run', '01_customers.csv')
    expect(again.code).toBe(1)
    expect(JSON.parse(again.stdout).reports[0].status).toBe('failed')

    const truncated = await migr8(dir, 'seed', 'run', '--truncate', '--validate')
    expect(truncated.code).toBe(0)
    expect(truncated.stdout).toMatch(/emptied first: customers, orders/)

    const out = join(dir, 'orders.yaml')
    const generated = await migr8(
      dir,
      'seed',
      'generate',
      '--table',
      'orders',
      '--format',
      'yaml',
      '--where',
      'total > 100',
      '--out',
      out,
    )
    expect(generated.stdout).toMatch(/wrote 3 rows of orders/)
    expect(existsSync(out)).toBe(true)
    expect(readFileSync(out, 'utf8')).toMatch(/total: 2499\.99/)
  })

  it('prints the rejected rows of a dry run and exits 1', async () => {
    const dir = project()
    await createDemoSchema(dir)
    writeFileSync(join(dir, 'seeds', '01_customers.csv'), 'id,name\n1,ok\nx,bad id\n3,\\N\n')
    const result = await migr8(dir, 'seed', 'run', '--dry-run', '01_customers.csv')
    expect(result.code).toBe(1)
    expect(result.stdout).toMatch(/line 3, column id: not an integer \(value "x"\)/)
    expect(result.stdout).toMatch(/line 4, column name: NULL in a NOT NULL column/)
  })
})
