import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MigratorSettings } from '../../src-main/migrate/index.js'

/** A temporary migrations folder; `write` adds or replaces files in it. */
export function migrationsDir(files: Record<string, string> = {}): {
  dir: string
  write: (files: Record<string, string>) => void
} {
  const dir = mkdtempSync(join(tmpdir(), 'migr8-migrations-'))
  const write = (more: Record<string, string>) => {
    for (const [name, text] of Object.entries(more)) writeFileSync(join(dir, name), text)
  }
  write(files)
  return { dir, write }
}

export function settings(dir: string, overrides: Partial<MigratorSettings> = {}): MigratorSettings {
  return {
    dir,
    table: 'migr8_migrations',
    lock: { mode: 'session', timeout: 30_000, lease: 30_000 },
    outOfOrder: 'error',
    create: { format: 'golang-migrate', versions: 'timestamp' },
    ...overrides,
  }
}
