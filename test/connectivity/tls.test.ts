import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ConnectionConfig } from '../../src-main/config/schema.js'
import { diagnoseConnection, sessionTls } from '../../src-main/db/diagnose.js'
import { openAdapter } from '../../src-main/db/index.js'
import { Migr8Error } from '../../src-shared/errors.js'
import { isRoot, missing, startSshd, startTlsPostgres, type Sshd, type TlsPostgres } from './support/servers.js'
import { skipWithReason } from '../support/skip.js'

const PG_BIN = '/usr/lib/postgresql/15/bin'
const skip =
  missing(['/usr/bin/openssl', `${PG_BIN}/initdb`, `${PG_BIN}/pg_ctl`], 'TLS tests') ??
  (isRoot
    ? undefined
    : missing(['/nonexistent-root'], 'TLS tests (they run initdb as the postgres user, so need root)'))

describe.skipIf(!!skip)('TLS to PostgreSQL', () => {
  let server: TlsPostgres
  beforeAll(async () => {
    server = await startTlsPostgres()
  })
  afterAll(async () => {
    await server?.stop()
  })

  const connection = (ssl: ConnectionConfig['ssl'], host = 'localhost'): ConnectionConfig => ({
    driver: 'postgres',
    host,
    port: server.port,
    database: 'postgres',
    user: 'postgres',
    ssl,
    connectTimeoutMs: 5_000,
    poolMax: 1,
  })

  async function failure(config: ConnectionConfig): Promise<Migr8Error> {
    const error = await openAdapter(config).then(
      async (adapter) => (await adapter.close(), undefined),
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(Migr8Error)
    return error as Migr8Error
  }

  it.each([
    ['disable', false],
    ['prefer', true],
    ['require', true],
    ['verify-ca', true],
    ['verify-full', true],
  ] as const)('sslmode %s connects (encrypted: %s)', async (mode, encrypted) => {
    const adapter = await openAdapter(connection({ mode, ca: mode.startsWith('verify') ? server.ca : undefined }))
    try {
      const tls = await sessionTls(adapter)
      expect(!!tls).toBe(encrypted)
      if (tls) expect(tls.version).toMatch(/^TLSv1\.[23]$/)
    } finally {
      await adapter.close()
    }
  })

  it('verify-full checks an IP address against the certificate IP SAN', async () => {
    await (await openAdapter(connection({ mode: 'verify-full', ca: server.ca }, '127.0.0.1'))).close()
  })

  it('a wrong CA is TLS_FAILED naming database.ssl.ca', async () => {
    for (const mode of ['verify-ca', 'verify-full'] as const) {
      const error = await failure(connection({ mode, ca: server.otherCa }))
      expect(error.code).toBe('TLS_FAILED')
      expect(error.details?.reason).toBe('untrusted-ca')
      expect(error.message).toContain(server.otherCa)
      expect(error.remedy).toMatch(/database\.ssl\.ca is not the CA/)
    }
    const none = await failure(connection({ mode: 'verify-full' }))
    expect(none.remedy).toMatch(/Give the server's CA certificate in database\.ssl\.ca/)
  })

  it('a host name the certificate does not name fails verify-full only', async () => {
    const error = await failure(connection({ mode: 'verify-full', ca: server.ca }, '127.0.0.2'))
    expect(error.code).toBe('TLS_FAILED')
    expect(error.details?.reason).toBe('host-name-mismatch')
    expect(error.message).toContain('"127.0.0.2"')
    expect(error.remedy).toMatch(/verify-ca/)
    await (await openAdapter(connection({ mode: 'verify-ca', ca: server.ca }, '127.0.0.2'))).close()
  })

  it('authenticates with a client certificate and key', async () => {
    const adapter = await openAdapter({
      ...connection({ mode: 'verify-full', ca: server.ca, cert: server.clientCert, key: server.clientKey }),
      user: 'certuser',
    })
    try {
      expect((await adapter.query<{ u: string }>('SELECT current_user AS u'))[0].u).toBe('certuser')
    } finally {
      await adapter.close()
    }
  })

  it('the diagnosis shows the TLS version and cipher, and names the TLS hop on failure', async () => {
    const ok = await diagnoseConnection(connection({ mode: 'verify-full', ca: server.ca }))
    expect(ok.ok).toBe(true)
    const tls = ok.hops.find((hop) => hop.hop === 'tls')
    expect(tls?.status).toBe('ok')
    expect(tls?.detail).toMatch(/^TLSv1\.[23] \S+; certificate and host name "localhost" verified$/)
    expect(ok.hops.map((hop) => hop.hop)).toEqual(['database-reachable', 'tls', 'authenticated', 'server'])

    const bad = await diagnoseConnection(connection({ mode: 'verify-full', ca: server.otherCa }))
    expect(bad).toMatchObject({ ok: false, failedHop: 'tls', error: { code: 'TLS_FAILED' } })
    expect(bad.hops.map((hop) => [hop.hop, hop.status])).toEqual([
      ['database-reachable', 'ok'],
      ['tls', 'failed'],
      ['authenticated', 'skipped'],
      ['server', 'skipped'],
    ])
  })

  describe('through an SSH tunnel', () => {
    let sshd: Sshd | undefined
    beforeAll(async () => {
      if (!missing(['/usr/sbin/sshd'], 'TLS through SSH'))
        sshd = await startSshd([`localhost:${server.port}`, `127.0.0.2:${server.port}`])
    })
    afterAll(async () => {
      await sshd?.stop()
    })
    const tunnelled = (ssl: ConnectionConfig['ssl'], host = 'localhost'): ConnectionConfig => ({
      ...connection(ssl, host),
      ssh: {
        host: '127.0.0.1',
        port: sshd!.port,
        user: 'root',
        identityFile: sshd!.userKey,
        knownHosts: sshd!.knownHosts,
        configFile: 'none',
      },
    })

    it('verify-full still checks the original host name, not 127.0.0.1', async (context) => {
      if (!sshd) return skipWithReason(context, 'no sshd')
      const result = await diagnoseConnection(tunnelled({ mode: 'verify-full', ca: server.ca }))
      expect(result.error).toBeUndefined()
      expect(result.hops.find((hop) => hop.hop === 'tls')?.detail).toMatch(/host name "localhost" verified/)
      const adapter = await openAdapter(tunnelled({ mode: 'verify-full', ca: server.ca }))
      expect(adapter.connection).toMatchObject({ host: '127.0.0.1', tlsServername: 'localhost' })
      await adapter.close()
      // 127.0.0.2 is not in the certificate (127.0.0.1, the tunnel's end, is): the original name is what counts.
      const mismatch = await diagnoseConnection(tunnelled({ mode: 'verify-full', ca: server.ca }, '127.0.0.2'))
      expect(mismatch).toMatchObject({ ok: false, failedHop: 'tls', error: { code: 'TLS_FAILED' } })
      expect(mismatch.error?.message).toMatch(/not valid for the host name "127\.0\.0\.2"/)
      expect(mismatch.error?.message).toMatch(/via SSH 127\.0\.0\.1/)
    })
  })
})
