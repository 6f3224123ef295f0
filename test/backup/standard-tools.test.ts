/**
 * A backup made by Migr8 restores with the plain standard tools, as docs/backups.md says:
 * `gunzip -c | psql`, `zstd -dc | psql`, `pg_restore` (custom file or directory), `gunzip -c | mariadb`, `sqlite3`.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { ConnectionConfig } from '../../src-main/config/schema.js'
import { openAdapter } from '../../src-main/db/index.js'
import { createBackup, type CreateBackupOptions } from '../../src-main/backup/index.js'
import { whichTool } from '../../src-main/backup/tools.js'
import { availableDialects, createDatabase, dropDatabase, useDatabase } from '../support/databases.js'
import { fingerprint, seedDatabase, testConfig } from './fixtures.js'
import { skipWithReason } from '../support/skip.js'

const dialects = await availableDialects()
const sh = (script: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync('sh', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })

interface Case {
  name: string
  options: CreateBackupOptions
  needs: string[]
  /** Shell restoring `$FILE` into `$DB` (server) or `$OUT` (SQLite). */
  script: string
}

const CASES: Record<string, Case[]> = {
  postgres: [
    {
      name: 'gunzip -c | psql',
      options: { compress: 'gzip' },
      needs: ['psql'],
      script: 'gunzip -c "$FILE" | psql -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$DBUSER" -d "$DB"',
    },
    {
      name: 'zstd -dc | psql',
      options: { compress: 'zstd' },
      needs: ['psql', 'zstd'],
      script: 'zstd -dc "$FILE" | psql -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$DBUSER" -d "$DB"',
    },
    {
      name: 'pg_restore',
      options: { format: 'custom' },
      needs: ['pg_restore'],
      script: 'pg_restore --exit-on-error -h "$HOST" -p "$PORT" -U "$DBUSER" -d "$DB" "$FILE"',
    },
    {
      name: 'pg_restore -j 2 (directory format)',
      options: { format: 'directory' },
      needs: ['pg_restore'],
      script: 'pg_restore --exit-on-error -j 2 -h "$HOST" -p "$PORT" -U "$DBUSER" -d "$DB" "$FILE"',
    },
  ],
  mysql: [
    {
      name: 'gunzip -c | mariadb',
      options: { compress: 'gzip' },
      needs: ['mariadb'],
      script: 'gunzip -c "$FILE" | mariadb --protocol=TCP -h "$HOST" -P "$PORT" -u "$DBUSER" "$DB"',
    },
    {
      name: 'zstd -dc | mariadb',
      options: { compress: 'zstd' },
      needs: ['mariadb', 'zstd'],
      script: 'zstd -dc "$FILE" | mariadb --protocol=TCP -h "$HOST" -P "$PORT" -u "$DBUSER" "$DB"',
    },
  ],
  sqlite: [
    {
      name: 'gunzip -c > file; sqlite3',
      options: { compress: 'gzip' },
      needs: ['sqlite3'],
      script: 'gunzip -c "$FILE" > "$OUT" && sqlite3 "$OUT" "PRAGMA integrity_check" | grep -qx ok',
    },
    {
      name: 'zstd -d; sqlite3',
      options: { compress: 'zstd' },
      needs: ['sqlite3', 'zstd'],
      script: 'zstd -q -d "$FILE" -o "$OUT" && sqlite3 "$OUT" "PRAGMA integrity_check" | grep -qx ok',
    },
  ],
}

describe.each(dialects)('%s: Migr8 backups restore with the standard tools', (dialect) => {
  const db = useDatabase(dialect)

  it.for(CASES[dialect])('$name', async (testCase, context) => {
    const missing = testCase.needs.filter((tool) => !whichTool([tool]))
    if (missing.length > 0) return skipWithReason(context, `not installed: ${missing.join(', ')}`)
    const source = await db.open()
    if (!(await source.describeTable('items'))) await seedDatabase(source, 60)
    // A WAL database's backup must still be one self-contained file.
    if (dialect === 'sqlite') await source.query('PRAGMA journal_mode = WAL')
    const config = testConfig(db.connection)
    const record = await createBackup(source, config, testCase.options, {})
    const file = join(config.baseDir, 'backups', record.file)
    let target: ConnectionConfig
    if (dialect === 'sqlite') {
      target = { ...db.connection, database: join(config.baseDir, `plain-${record.id}.sqlite`) }
    } else {
      target = await createDatabase(dialect)
    }
    try {
      sh(testCase.script, {
        FILE: file,
        DB: target.database,
        OUT: target.database,
        HOST: target.host,
        PORT: String(target.port),
        DBUSER: target.user,
      })
      if (dialect === 'sqlite') {
        // Header bytes 18-19: 1 = rollback journal, 2 = WAL.
        expect([...readFileSync(target.database).subarray(18, 20)]).toEqual([1, 1])
      }
      const restored = await openAdapter(target)
      try {
        expect(await fingerprint(restored)).toEqual(await fingerprint(source))
      } finally {
        await restored.close()
      }
    } finally {
      if (dialect !== 'sqlite') await dropDatabase(target)
    }
  })
})
