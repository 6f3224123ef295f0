import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionConfig } from '../../src-main/config/schema.js'
import { openAdapter } from '../../src-main/db/index.js'
import { buildCli, runCli } from '../support/cli.js'
import { availableDialects, createDatabase, dropDatabase } from '../support/databases.js'
import { missing, startSshd, type Sshd } from './support/servers.js'

const skip = missing(['/usr/sbin/sshd', '/usr/bin/ssh-keygen'], 'CLI through an SSH tunnel')
const dialects = skip ? [] : await availableDialects(['postgres', 'mysql'])

describe.skipIf(!!skip || dialects.length === 0)('migrations, a backup and a seed through an SSH tunnel (CLI)', () => {
  let sshd: Sshd
  beforeAll(async () => {
    buildCli()
    sshd = await startSshd(['127.0.0.1:5432', '127.0.0.1:3306'])
  })
  afterAll(async () => {
    await sshd?.stop()
  })

  describe.each(dialects)('%s', (driver) => {
    let connection: ConnectionConfig
    let dir: string
    beforeAll(async () => {
      connection = await createDatabase(driver)
      dir = mkdtempSync(join(tmpdir(), 'migr8-cli-ssh-'))
      mkdirSync(join(dir, 'migrations'))
      mkdirSync(join(dir, 'seeds'))
      writeFileSync(
        join(dir, 'migrations', '001_items.up.sql'),
        'CREATE TABLE items (id integer PRIMARY KEY, name varchar(50) NOT NULL);\n',
      )
      writeFileSync(join(dir, 'migrations', '001_items.down.sql'), 'DROP TABLE items;\n')
      writeFileSync(join(dir, 'seeds', 'items.csv'), 'id,name\n1,tunnelled apple\n2,tunnelled pear\n')
      writeFileSync(
        join(dir, 'migr8.yaml'),
        [
          'database:',
          `  driver: ${driver}`,
          `  host: ${connection.host}`,
          `  port: ${connection.port}`,
          `  name: ${connection.database}`,
          `  user: ${connection.user}`,
          '  ssl: { mode: disable }',
          '  ssh:',
          '    host: 127.0.0.1',
          `    port: ${sshd.port}`,
          '    user: root',
          `    identityFile: ${sshd.encryptedKey}`,
          '    passphrase: ${TEST_SSH_PASSPHRASE}',
          `    knownHosts: ${sshd.knownHosts}`,
          '    configFile: none',
          '',
        ].join('\n'),
      )
    })
    afterAll(async () => {
      await dropDatabase(connection).catch(() => undefined)
      rmSync(dir, { recursive: true, force: true })
    })
    const cli = (...args: string[]) => runCli(args, { cwd: dir, env: { TEST_SSH_PASSPHRASE: sshd.passphrase } })

    it('tests the connection hop by hop', async () => {
      const result = await cli('config', 'test')
      expect(result.stderr).toBe('')
      expect(result.code).toBe(0)
      expect(result.stdout).toMatch(/✔ SSH host reachable \(127\.0\.0\.1\)/)
      expect(result.stdout).toMatch(/✔ SSH authenticated \(127\.0\.0\.1\).*as root/)
      expect(result.stdout).toMatch(/✔ database reachable from the SSH host/)
      expect(result.stdout).toMatch(/✔ server answers.*via SSH 127\.0\.0\.1/)
      const show = await cli('config', 'show', '--json')
      expect(show.stdout).not.toContain(sshd.passphrase)
      expect(JSON.parse(show.stdout).connection.ssh.passphrase).toBe('****')
    })

    it('migrates, seeds and backs up through the tunnel', async () => {
      const up = await cli('migrate', 'up')
      expect(up.stderr).toBe('')
      expect(up.code).toBe(0)
      const seed = await cli('seed', 'run')
      expect(seed.stderr).toBe('')
      expect(seed.code).toBe(0)
      const backup = await cli('backup', 'create', '--compress', 'gzip', '--json')
      expect(backup.stderr).toBe('')
      expect(backup.code).toBe(0)
      const file = (JSON.parse(backup.stdout) as { file: string }).file
      const dump = gunzipSync(readFileSync(file.startsWith('/') ? file : join(dir, 'backups', file))).toString('utf8')
      expect(dump).toContain('tunnelled apple')

      const adapter = await openAdapter(connection)
      try {
        const rows = await adapter.query<{ name: string }>('SELECT name FROM items ORDER BY id')
        expect(rows.map((row) => row.name)).toEqual(['tunnelled apple', 'tunnelled pear'])
        const applied = await adapter.query<{ version: string }>('SELECT version FROM migr8_migrations')
        expect(applied.map((row) => row.version)).toEqual(['001'])
      } finally {
        await adapter.close()
      }
      expect(readdirSync(join(dir, 'backups')).length).toBeGreaterThan(0)
    })

    it('a wrong passphrase names the SSH hop and its remedy', async () => {
      const result = await runCli(['migrate', 'status'], { cwd: dir, env: { TEST_SSH_PASSPHRASE: 'wrong' } })
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/error \[AUTH_FAILED\]: The SSH key .* is encrypted and the passphrase is wrong/)
      expect(result.stderr).toMatch(/remedy: Set database\.ssh\.passphrase/)
    })
  })
})
