import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionConfig, SshTunnelConfig } from '../../src-main/config/schema.js'
import { diagnoseConnection } from '../../src-main/db/diagnose.js'
import { openAdapter } from '../../src-main/db/index.js'
import { checkKnownHosts, knownHostsName, openTunnel } from '../../src-main/db/tunnel.js'
import { Migr8Error } from '../../src-shared/errors.js'
import { SERVER_DEFAULTS, availableDialects } from '../support/databases.js'
import { missing, startSshd, type Sshd } from './support/servers.js'
import { skipWithReason } from '../support/skip.js'

const skip = missing(['/usr/sbin/sshd', '/usr/bin/ssh-keygen'], 'SSH tunnel tests')
const dialects = (skip ? [] : await availableDialects(['postgres', 'mysql'])) as Array<'postgres' | 'mysql'>

describe.skipIf(!!skip)('SSH tunnel', () => {
  let sshd: Sshd
  let scratch: string
  beforeAll(async () => {
    sshd = await startSshd(['127.0.0.1:5432', '127.0.0.1:3306'], { passwordUser: true })
    scratch = mkdtempSync(join(tmpdir(), 'migr8-ssh-test-'))
  })
  afterAll(async () => {
    await sshd?.stop()
    rmSync(scratch, { recursive: true, force: true })
  })

  const ssh = (extra: Partial<SshTunnelConfig> = {}): SshTunnelConfig => ({
    host: '127.0.0.1',
    port: sshd.port,
    user: 'root',
    identityFile: sshd.userKey,
    knownHosts: sshd.knownHosts,
    strictHostKey: 'yes',
    configFile: 'none',
    ...extra,
  })
  const through = (driver: 'postgres' | 'mysql', extra: Partial<SshTunnelConfig> = {}): ConnectionConfig => ({
    ...SERVER_DEFAULTS[driver],
    database: driver === 'postgres' ? 'postgres' : 'mysql',
    ssh: ssh(extra),
  })

  async function expectFailure(promise: Promise<unknown>): Promise<Migr8Error> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(Migr8Error)
    return error as Migr8Error
  }

  describe.each(dialects)('%s through the tunnel', (driver) => {
    it('connects with a key file and closes the tunnel with the adapter', async () => {
      const adapter = await openAdapter(through(driver))
      expect(adapter.connection.host).toBe('127.0.0.1')
      expect(adapter.connection.port).not.toBe(SERVER_DEFAULTS[driver].port)
      expect(adapter.connection.ssh).toBeUndefined()
      expect(adapter.connection.via).toEqual({
        ssh: '127.0.0.1',
        host: '127.0.0.1',
        port: SERVER_DEFAULTS[driver].port,
      })
      const rows = await adapter.query<{ one: number }>('SELECT 1 AS one')
      expect(Number(rows[0].one)).toBe(1)
      const port = adapter.connection.port
      await adapter.close()
      // The forwarded port is gone once the work ends.
      const { connect } = await import('node:net')
      const refused = await new Promise<string>((resolve) => {
        const socket = connect(port, '127.0.0.1')
        socket.once('connect', () => (socket.destroy(), resolve('open')))
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'))
      })
      expect(refused).toBe('ECONNREFUSED')
    })

    it('reports each hop in a diagnosis', async () => {
      const result = await diagnoseConnection(through(driver))
      expect(result.ok).toBe(true)
      expect(result.hops.map((hop) => [hop.hop, hop.status])).toEqual(
        [
          ['ssh-reachable', 'ok'],
          ['ssh-authenticated', 'ok'],
          ['ssh-forward', 'ok'],
          ['tls', 'skipped'],
          ['authenticated', 'ok'],
          ['server', 'ok'],
        ].map(([hop, status]) => [hop, hop === 'tls' ? 'warn' : status]),
      )
      expect(result.version).toMatch(driver === 'postgres' ? /^PostgreSQL/ : /MariaDB|MySQL/)
    })
  })

  it('uses an encrypted key with its passphrase, and names the passphrase when it is missing or wrong', async () => {
    const adapter = await openAdapter(
      through('postgres', { identityFile: sshd.encryptedKey, passphrase: sshd.passphrase }),
    ).catch((error: Error) => (dialects.includes('postgres') ? Promise.reject(error) : undefined))
    await adapter?.close()
    for (const passphrase of [undefined, 'wrong']) {
      const error = await expectFailure(
        openTunnel(through('postgres', { identityFile: sshd.encryptedKey, passphrase })),
      )
      expect(error.code).toBe('AUTH_FAILED')
      expect(error.message).toMatch(passphrase ? /passphrase is wrong/ : /no passphrase was given/)
      expect(error.remedy).toMatch(/database\.ssh\.passphrase/)
    }
  })

  it('authenticates with a password (never on a command line), and reports a wrong one as the SSH hop', async (context) => {
    if (!sshd.passwordUser) return skipWithReason(context, 'needs root to create a user with a password')
    const { user, password } = sshd.passwordUser
    const tunnel = await openTunnel(through('postgres', { user, identityFile: undefined, password, agent: false }))
    await tunnel.close()
    const result = await diagnoseConnection(
      through('postgres', { user, identityFile: undefined, password: 'nope', agent: false }),
    )
    expect(result.ok).toBe(false)
    expect(result.failedHop).toBe('ssh-authenticated')
    expect(result.hops[0]).toMatchObject({ hop: 'ssh-reachable', status: 'ok' })
    expect(result.error?.code).toBe('AUTH_FAILED')
    expect(result.error?.message).toContain(`${user}@`)
  })

  it('uses ssh-agent', async (context) => {
    const { spawn, execFileSync } = await import('node:child_process')
    const socket = join(scratch, 'agent.sock')
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' })
    try {
      for (let i = 0; i < 50 && !(await import('node:fs')).existsSync(socket); i++)
        await new Promise((r) => setTimeout(r, 50))
      // The socket exists a moment before the agent answers on it.
      let added = false
      for (let i = 0; i < 40 && !added; i++) {
        try {
          execFileSync('ssh-add', [sshd.userKey], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' })
          added = true
        } catch {
          await new Promise((r) => setTimeout(r, 50))
        }
      }
      if (!added) return skipWithReason(context, 'ssh-add could not reach the test ssh-agent')
      const tunnel = await openTunnel(through('postgres', { identityFile: undefined, agent: socket }))
      await tunnel.close()
    } finally {
      agent.kill()
    }
  })

  it('goes through a jump host, and resolves ~/.ssh/config aliases', async () => {
    const config = join(scratch, 'ssh_config')
    writeFileSync(
      config,
      [
        'Host bastion',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        '  User root',
        `  IdentityFile ${sshd.userKey}`,
        '  ProxyJump root@127.0.0.1:' + sshd.port,
        'Host *',
        `  UserKnownHostsFile ${sshd.knownHosts}`,
        '',
      ].join('\n'),
    )
    const steps: string[] = []
    const tunnel = await openTunnel(
      {
        ...SERVER_DEFAULTS.postgres,
        database: 'postgres',
        ssh: { host: 'bastion', configFile: config, identityFile: sshd.userKey },
      },
      { onStep: (step) => steps.push(`${step.hop} ${step.host}`) },
    )
    try {
      expect(steps).toEqual([
        'ssh-reachable 127.0.0.1',
        'ssh-authenticated 127.0.0.1',
        'ssh-reachable bastion',
        'ssh-authenticated bastion',
        'ssh-forward bastion',
      ])
      expect(tunnel.connection.via?.ssh).toBe('127.0.0.1 → bastion')
    } finally {
      await tunnel.close()
    }
  })

  it('asks about an unknown host key: refuses without a prompt, records it when confirmed or with accept-new', async () => {
    const knownHosts = join(scratch, 'known_hosts_new')
    const error = await expectFailure(openTunnel(through('postgres', { knownHosts })))
    expect(error.code).toBe('CONFIRMATION_REQUIRED')
    expect(error.details).toMatchObject({ hop: 'ssh-hostkey', fingerprint: sshd.hostKeyFingerprint })
    expect(error.message).toContain(sshd.hostKeyFingerprint)

    const asked: string[] = []
    const declined = await expectFailure(
      openTunnel(through('postgres', { knownHosts }), {
        confirmHostKey: async (info) => (asked.push(info.fingerprint), false),
      }),
    )
    expect(declined.code).toBe('CONFIRMATION_REQUIRED')
    const tunnel = await openTunnel(through('postgres', { knownHosts }), {
      confirmHostKey: async (info) => (asked.push(info.fingerprint), true),
    })
    await tunnel.close()
    expect(asked).toEqual([sshd.hostKeyFingerprint, sshd.hostKeyFingerprint])
    expect(readFileSync(knownHosts, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519 `)
    // Now known: no question asked.
    await (
      await openTunnel(through('postgres', { knownHosts }), {
        confirmHostKey: async () => {
          throw new Error('asked')
        },
      })
    ).close()

    const acceptNew = join(scratch, 'known_hosts_accept_new')
    await (await openTunnel(through('postgres', { knownHosts: acceptNew, strictHostKey: 'accept-new' }))).close()
    expect(readFileSync(acceptNew, 'utf8')).toContain(`[127.0.0.1]:${sshd.port}`)

    // The app's path: the fingerprint the user confirmed in the dialog.
    const fromApp = join(scratch, 'known_hosts_app')
    await (
      await openTunnel(through('postgres', { knownHosts: fromApp }), { acceptHostKeys: [sshd.hostKeyFingerprint] })
    ).close()
    expect(readFileSync(fromApp, 'utf8')).toContain('ssh-ed25519')
  })

  it('refuses a changed host key even with accept-new', async () => {
    const changed = join(scratch, 'known_hosts_changed')
    const other = readFileSync(`${sshd.userKey}.pub`, 'utf8').split(/\s+/)
    writeFileSync(changed, `${knownHostsName('127.0.0.1', sshd.port)} ${other[0]} ${other[1]}\n`)
    const error = await expectFailure(
      openTunnel(through('postgres', { knownHosts: changed, strictHostKey: 'accept-new' })),
    )
    expect(error.code).toBe('AUTH_FAILED')
    expect(error.message).toMatch(/has CHANGED/)
    expect(error.remedy).toMatch(/ssh-keygen -R/)
  })

  it('reads hashed known_hosts lines', () => {
    const key = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.alloc(36, 7)])
    const salt = Buffer.alloc(20, 1)
    const hash = createHmac('sha1', salt).update('[db.example]:2222').digest('base64')
    const line = `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${key.toString('base64')}`
    expect(checkKnownHosts(line, '[db.example]:2222', key)).toBe('known')
    expect(checkKnownHosts(line, 'db.example', key)).toBe('unknown')
  })

  it('names the failing hop: SSH host down, database not reachable from the SSH host', async () => {
    const { freePort } = await import('./support/servers.js')
    const down = await diagnoseConnection(through('postgres', { port: await freePort() }))
    expect(down).toMatchObject({ ok: false, failedHop: 'ssh-reachable', error: { code: 'HOST_UNREACHABLE' } })
    expect(down.error?.remedy).toMatch(/database\.ssh\.host/)

    // sshd's PermitOpen does not allow this port: the bastion cannot open the forward.
    const unreachable = await diagnoseConnection({ ...through('postgres'), port: 1 })
    expect(unreachable).toMatchObject({ ok: false, failedHop: 'ssh-forward', error: { code: 'HOST_UNREACHABLE' } })
    expect(unreachable.hops.slice(0, 2).map((hop) => hop.status)).toEqual(['ok', 'ok'])
    expect(unreachable.error?.message).toMatch(/cannot reach the database 127\.0\.0\.1:1/)
  })
})
