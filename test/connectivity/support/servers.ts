/**
 * Throwaway servers for the connectivity tests: an OpenSSH sshd on 127.0.0.1 (random port, its own
 * host and user keys) and a TLS PostgreSQL cluster (certificates from a CA generated here). Missing
 * programs skip the tests with a printed reason, unless MIGR8_REQUIRE_DBS=1.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const required = process.env.MIGR8_REQUIRE_DBS === '1'
const PG_BIN = '/usr/lib/postgresql/15/bin'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve()))
      socket.once('error', () => {
        socket.destroy()
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port}`))
        else setTimeout(attempt, 50)
      })
    }
    attempt()
  })
}

/** Why a program is missing, or undefined; fails the run instead under MIGR8_REQUIRE_DBS=1. */
export function missing(paths: string[], what: string): string | undefined {
  const absent = paths.filter((path) => !existsSync(path))
  if (absent.length === 0) return undefined
  const reason = `${what} needs ${absent.join(', ')} (apt-get install openssh-server openssl postgresql)`
  if (required) throw new Error(`MIGR8_REQUIRE_DBS=1 but ${reason}`)
  console.warn(`SKIPPED ${what}: ${reason}`)
  return reason
}

export const isRoot = process.getuid?.() === 0

export interface Sshd {
  port: number
  dir: string
  /** Unencrypted user key, and the same kind of key encrypted with `passphrase`. */
  userKey: string
  encryptedKey: string
  passphrase: string
  /** known_hosts holding this sshd's host key (for [127.0.0.1]:port). */
  knownHosts: string
  hostKeyFingerprint: string
  /** A user with a password (created when running as root), for the password test. */
  passwordUser?: { user: string; password: string }
  logs(): string
  stop(): Promise<void>
}

const PASSWORD_USER = 'migr8-tunnel'

function ensurePasswordUser(password: string): { user: string; password: string } | undefined {
  if (!isRoot) return undefined
  try {
    try {
      execFileSync('id', [PASSWORD_USER], { stdio: 'ignore' })
    } catch {
      execFileSync('useradd', ['-M', '-s', '/usr/sbin/nologin', PASSWORD_USER], { stdio: 'ignore' })
    }
    execFileSync('chpasswd', [], { input: `${PASSWORD_USER}:${password}\n`, stdio: ['pipe', 'ignore', 'ignore'] })
    return { user: PASSWORD_USER, password }
  } catch {
    return undefined
  }
}

/** Starts `sshd -D` on 127.0.0.1 allowing forwards only to `permitOpen` (host:port). */
export async function startSshd(permitOpen: string[], options: { passwordUser?: boolean } = {}): Promise<Sshd> {
  const dir = mkdtempSync(join(tmpdir(), 'migr8-sshd-'))
  const keygen = (file: string, passphrase = '') =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'migr8-test', '-f', file])
  keygen(join(dir, 'host_key'))
  keygen(join(dir, 'user_key'))
  const passphrase = 'correct horse battery'
  keygen(join(dir, 'user_key_enc'), passphrase)
  writeFileSync(
    join(dir, 'authorized_keys'),
    readFileSync(join(dir, 'user_key.pub'), 'utf8') + readFileSync(join(dir, 'user_key_enc.pub'), 'utf8'),
  )
  chmodSync(join(dir, 'authorized_keys'), 0o644)
  chmodSync(dir, 0o755)
  const port = await freePort()
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
  // Opt-in: the user's password is global, so only one test file may set it.
  const passwordUser = options.passwordUser
    ? ensurePasswordUser(`pw-${Math.random().toString(36).slice(2)}`)
    : undefined
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      `PasswordAuthentication ${passwordUser ? 'yes' : 'no'}`,
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding local',
      `PermitOpen ${[...permitOpen, `127.0.0.1:${port}`].join(' ')}`,
      'X11Forwarding no',
      'AllowAgentForwarding no',
      'PermitTTY no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  )
  const hostPub = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(/\s+/)
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub[0]} ${hostPub[1]}\n`)
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'host_key.pub')], { encoding: 'utf8' }).split(
    /\s+/,
  )[1]
  let log = ''
  const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  child.stderr!.on('data', (chunk) => (log += chunk))
  await waitForPort(port).catch((error: Error) => {
    child.kill()
    throw new Error(`${error.message}; sshd said: ${log}`)
  })
  return {
    port,
    dir,
    userKey: join(dir, 'user_key'),
    encryptedKey: join(dir, 'user_key_enc'),
    passphrase,
    knownHosts: join(dir, 'known_hosts'),
    hostKeyFingerprint: fingerprint,
    passwordUser,
    logs: () => log,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export interface TlsPostgres {
  port: number
  dir: string
  /** The CA that signed the server certificate (CN localhost, SAN localhost and 127.0.0.1). */
  ca: string
  /** A CA that signed nothing here. */
  otherCa: string
  /** A client certificate and key for the user `certuser` (pg_hba: cert). */
  clientCert: string
  clientKey: string
  stop(): Promise<void>
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
}

function makeCa(dir: string, name: string): void {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  )
}

function signCert(dir: string, ca: string, name: string, subject: string, san?: string): void {
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`],
    dir,
  )
  if (san) writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\n`)
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.crt`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      `${name}.crt`,
      ...(san ? ['-extfile', `${name}.ext`] : []),
    ],
    dir,
  )
}

/** Initialises and starts a PostgreSQL 15 cluster with ssl=on on a free port, as the postgres user. */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'migr8-pgtls-'))
  chmodSync(dir, 0o755)
  makeCa(dir, 'ca')
  makeCa(dir, 'otherca')
  signCert(dir, 'ca', 'server', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1')
  signCert(dir, 'ca', 'client', '/CN=certuser')
  const data = join(dir, 'data')
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
  for (const file of ['server.key', 'server.crt', 'ca.crt']) {
    chownSync(join(dir, file), uid, gid)
    chmodSync(join(dir, file), 0o600)
  }
  for (const file of ['client.key']) chmodSync(join(dir, file), 0o600)
  mkdirSync(data)
  chownSync(data, uid, gid)
  // The server writes its log and socket here.
  chownSync(dir, uid, gid)
  const asPostgres = (args: string[]) =>
    execFileSync('runuser', ['-u', 'postgres', '--', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  asPostgres([`${PG_BIN}/initdb`, '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync'])
  writeFileSync(
    join(data, 'pg_hba.conf'),
    ['local all all trust', 'hostssl all certuser 127.0.0.0/8 cert', 'host all all 127.0.0.0/8 trust', ''].join('\n'),
  )
  const port = await freePort()
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses='127.0.0.1,127.0.0.2'",
    '-c ssl=on',
    `-c ssl_cert_file=${join(dir, 'server.crt')}`,
    `-c ssl_key_file=${join(dir, 'server.key')}`,
    `-c ssl_ca_file=${join(dir, 'ca.crt')}`,
    '-c fsync=off',
  ].join(' ')
  try {
    asPostgres([`${PG_BIN}/pg_ctl`, '-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start'])
    asPostgres([`${PG_BIN}/psql`, '-h', dir, '-p', String(port), '-U', 'postgres', '-c', 'CREATE USER certuser'])
  } catch (error) {
    const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8') : ''
    try {
      asPostgres([`${PG_BIN}/pg_ctl`, '-D', data, '-m', 'immediate', 'stop'])
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`${(error as Error).message}\n${log}`)
  }
  return {
    port,
    dir,
    ca: join(dir, 'ca.crt'),
    otherCa: join(dir, 'otherca.crt'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
    stop: async () => {
      try {
        asPostgres([`${PG_BIN}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop'])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
