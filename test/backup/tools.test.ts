import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { describe, expect, it } from 'vitest'
import { mysqlCredentials, postgresCredentials } from '../../src-main/backup/credentials.js'
import { mysqlDumpArgs } from '../../src-main/backup/mysql.js'
import { parseToolVersion, whichTool } from '../../src-main/backup/tools.js'
import { planCompression, zstdInputBytes } from '../../src-main/backup/compression.js'
import { gunzipSync } from 'node:zlib'
import { createBackup, restoreBackup } from '../../src-main/backup/index.js'
import { openAdapter } from '../../src-main/db/index.js'
import { SERVER_DEFAULTS, availableDialects, uniqueName, useDatabase } from '../support/databases.js'
import { fingerprint, seedDatabase, testConfig } from './fixtures.js'
import type { ConnectionConfig } from '../../src-main/config/schema.js'
import { skipWithReason } from '../support/skip.js'

describe('tool detection', () => {
  it('parses the version banners of the dump tools and compressors', () => {
    expect(parseToolVersion('pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)')).toMatchObject({
      version: '15.20',
      major: 15,
    })
    expect(parseToolVersion('pg_dump (PostgreSQL) 16.4')).toMatchObject({ major: 16 })
    expect(
      parseToolVersion('mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)'),
    ).toMatchObject({ version: '10.11.19', major: 10, flavour: 'mariadb' })
    expect(parseToolVersion('mysqldump  Ver 10.13 Distrib 5.7.44, for Linux (x86_64)')).toMatchObject({
      version: '5.7.44',
      flavour: 'mysql',
    })
    expect(parseToolVersion('mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)')).toMatchObject({
      version: '8.0.36',
      major: 8,
      flavour: 'mysql',
    })
    expect(parseToolVersion('*** Zstandard CLI (64-bit) v1.5.4, by Yann Collet ***')).toMatchObject({
      version: '1.5.4',
    })
  })

  it("adds MySQL 8's flags only for MySQL's own mysqldump", () => {
    expect(mysqlDumpArgs({ flavour: 'mysql', major: 8 }, 'shop')).toContain('--column-statistics=0')
    expect(mysqlDumpArgs({ flavour: 'mariadb', major: 10 }, 'shop')).not.toContain('--column-statistics=0')
    expect(mysqlDumpArgs({ flavour: 'mariadb', major: 10 }, 'shop')).toEqual(
      expect.arrayContaining(['--single-transaction', '--routines', '--triggers', '--events']),
    )
    expect(() => mysqlDumpArgs({ flavour: 'mariadb', major: 10 }, '--all-databases')).toThrow(/not a database name/)
  })
})

describe('credentials for the external tools', () => {
  const base: ConnectionConfig = { ...SERVER_DEFAULTS.mysql, password: 'p@ss"w:rd\\x' }

  it('writes a 0600 option file holding the password, passed first, and removes it', () => {
    const credentials = mysqlCredentials(base, 'mariadb')
    expect(credentials.leadingArgs).toHaveLength(1)
    const file = credentials.leadingArgs[0].replace('--defaults-extra-file=', '')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700)
    expect(readFileSync(file, 'utf8')).toContain('password="p@ss\\"w:rd\\\\x"')
    expect(credentials.leadingArgs.join(' ')).not.toContain('p@ss')
    credentials.dispose()
    expect(existsSync(file)).toBe(false)
  })

  it('uses a temporary PGPASSFILE, never PGPASSWORD', () => {
    const credentials = postgresCredentials({ ...SERVER_DEFAULTS.postgres, password: 'se:cret' })
    expect(credentials.env.PGPASSWORD).toBeUndefined()
    const file = credentials.env.PGPASSFILE!
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).toBe('*:*:*:postgres:se\\:cret\n')
    credentials.dispose()
    expect(existsSync(file)).toBe(false)
  })
})

const servers = await availableDialects(['mysql'])
describe.each(servers)('%s: a user with a password', (dialect) => {
  const db = useDatabase(dialect)

  it('backs up and restores through the option file (the password is checked by the server)', async () => {
    const admin = await db.open()
    await seedDatabase(admin, 20)
    const user = uniqueName('m8u').slice(0, 30)
    const password = 'p@ss"w:rd\\x \'q'
    await admin.query(`CREATE USER ?@'%' IDENTIFIED BY ?`, [user, password])
    try {
      await admin.query(`GRANT ALL ON *.* TO ?@'%'`, [user])
      const connection = { ...db.connection, user, password }
      const adapter = await openAdapter(connection)
      try {
        const config = testConfig(connection)
        const record = await createBackup(adapter, config, {}, {})
        const target = uniqueName('migr8_pw')
        await restoreBackup(adapter, config, record.id, { targetDb: target })
        const copy = await openAdapter({ ...connection, database: target })
        try {
          expect(await fingerprint(copy)).toEqual(await fingerprint(admin))
        } finally {
          await copy.close()
          await admin.query(`DROP DATABASE ${admin.quoteIdent(target)}`)
        }
      } finally {
        await adapter.close()
      }
    } finally {
      await admin.query(`DROP USER ?@'%'`, [user])
    }
  })
})

describe('external compressors', () => {
  it('uses pigz for gzip when it is installed', async (context) => {
    if (!whichTool(['pigz'])) {
      console.warn('SKIPPED pigz test: the pigz binary is not installed (Node zlib is the gzip path here)')
      return skipWithReason(context, 'pigz not installed')
    }
    const plan = await planCompression('gzip')
    expect(plan.compressor).toMatch(/^pigz /)
    const codec = plan.compress()
    const chunks: Buffer[] = []
    codec.stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    codec.stream.end(Buffer.from('hello '.repeat(1000)))
    await new Promise((resolve) => codec.stream.on('end', resolve))
    await codec.exited
    expect(gunzipSync(Buffer.concat(chunks)).toString()).toBe('hello '.repeat(1000))
  })

  it("reads the input size from zstd's -vv report (1.5 and 1.4 formats)", () => {
    expect(zstdInputBytes('/*stdin*\\  : 75.37%   (6754388 B => 5090817 B, /*stdout*\\)')).toBe(6754388)
    expect(zstdInputBytes('/*stdin*\\  : 12.00%   (1000 => 120 bytes, /*stdout*\\)')).toBe(1000)
    expect(zstdInputBytes('/*stdin*\\  : 19.35%   ( 46052 B =>   8911 B, /*stdout*\\)')).toBe(46052)
    expect(zstdInputBytes('progress\rRead : 3 MiB')).toBeUndefined()
  })

  it('falls back to Node zlib for gzip without pigz, and auto prefers zstd when installed', async () => {
    const gzip = await planCompression('gzip')
    expect(gzip.compression).toBe('gzip')
    if (!whichTool(['pigz'])) expect(gzip.compressor).toBe('node-zlib')
    const auto = await planCompression('auto')
    expect(auto.compression).toBe(whichTool(['zstd']) ? 'zstd' : 'gzip')
  })
})
