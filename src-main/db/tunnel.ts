/**
 * SSH tunnels (bastion hosts). `openTunnel` connects (through jump hosts if any), checks the host
 * key against known_hosts, authenticates, and forwards a random port on 127.0.0.1 to the database
 * as the last SSH host sees it. It returns the connection rewritten to that port, so the drivers and
 * the child tools (pg_dump, mariadb-dump) all go through the tunnel, and a `close()`.
 */
import { createHash, createHmac } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { homedir, userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import type { Duplex } from 'node:stream'
// ssh2 is CommonJS: Node's ESM loader sees only its default export.
import ssh2, { type AuthenticationType, type Client, type ConnectConfig } from 'ssh2'
import { Migr8Error } from '../../src-shared/errors.js'
import type { ConnectionConfig, SshTunnelConfig, StrictHostKey } from '../config/schema.js'
import { readSshConfig } from './ssh-config.js'

/** A host key seen for the first time, as the prompt shows it. */
export interface HostKeyInfo {
  /** The SSH host as named in the config (alias) and the address connected to. */
  alias: string
  host: string
  port: number
  keyType: string
  /** `SHA256:…` as `ssh-keygen -lf` prints it. */
  fingerprint: string
  knownHosts: string
}

/** Asked when a host key is unknown and strictHostKey is `yes`: true records the key and goes on. */
export type ConfirmHostKey = (info: HostKeyInfo) => Promise<boolean>

/** A step the tunnel got through, for "Test connection". */
export interface TunnelStep {
  hop: 'ssh-reachable' | 'ssh-authenticated' | 'ssh-forward'
  /** Which SSH host: `jump` hosts first, then the bastion. */
  host: string
  ms: number
  detail: string
}

export interface TunnelOptions {
  signal?: AbortSignal
  confirmHostKey?: ConfirmHostKey
  /** Host key fingerprints (`SHA256:…`) the user has just confirmed, e.g. in the app's prompt. */
  acceptHostKeys?: readonly string[]
  onStep?: (step: TunnelStep) => void
}

export interface Tunnel {
  /** The connection through the tunnel: host 127.0.0.1, the forwarded port, no `ssh`. */
  connection: ConnectionConfig
  localPort: number
  /** The last failure of the SSH host to open the forwarded connection (database refused or unknown). */
  lastForwardError(): Error | undefined
  close(): Promise<void>
}

/** One SSH host of the chain, with its settings from the profile and ~/.ssh/config merged. */
interface Hop {
  alias: string
  host: string
  port: number
  user: string
  identityFiles: string[]
  knownHosts: string
  strictHostKey: StrictHostKey
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa']

function strictFromSshConfig(value: string | undefined): StrictHostKey | undefined {
  if (!value) return undefined
  const lower = value.toLowerCase()
  if (lower === 'no' || lower === 'off') return 'no'
  if (lower === 'accept-new') return 'accept-new'
  return 'yes'
}

/** `user@host:port` (ssh -J syntax) → parts. */
function parseHopSpec(spec: string): { alias: string; user?: string; port?: number } {
  const at = spec.lastIndexOf('@')
  const user = at >= 0 ? spec.slice(0, at) : undefined
  let rest = at >= 0 ? spec.slice(at + 1) : spec
  let port: number | undefined
  const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(rest)
  if (bracketed) {
    rest = bracketed[1]
    port = bracketed[2] ? Number(bracketed[2]) : undefined
  } else {
    const colon = /^([^:]+):(\d+)$/.exec(rest)
    if (colon) {
      rest = colon[1]
      port = Number(colon[2])
    }
  }
  return { alias: rest, user, port }
}

function resolveHop(
  spec: { alias: string; user?: string; port?: number },
  ssh: SshTunnelConfig,
  own: { identityFile?: string; knownHosts?: string; strictHostKey?: StrictHostKey },
): Hop & { proxyJump?: string } {
  const found = readSshConfig(spec.alias, ssh.configFile)
  // A jump host without its own IdentityFile uses the profile's key, as the bastion does.
  const identityFiles = own.identityFile
    ? [own.identityFile]
    : found.identityFiles.length > 0
      ? found.identityFiles
      : ssh.identityFile
        ? [ssh.identityFile]
        : DEFAULT_KEYS.map((name) => join(homedir(), '.ssh', name)).filter((path) => existsSync(path))
  return {
    alias: spec.alias,
    host: found.hostName ?? spec.alias,
    port: spec.port ?? found.port ?? 22,
    user: spec.user ?? found.user ?? userInfo().username,
    identityFiles,
    knownHosts: own.knownHosts ?? found.userKnownHostsFile ?? join(homedir(), '.ssh', 'known_hosts'),
    strictHostKey: own.strictHostKey ?? strictFromSshConfig(found.strictHostKeyChecking) ?? 'yes',
    proxyJump: found.proxyJump,
  }
}

/** The SSH hosts to go through, first to last: jump hosts, then the bastion. */
export function resolveHops(ssh: SshTunnelConfig): Hop[] {
  const last = resolveHop({ alias: ssh.host, user: ssh.user, port: ssh.port }, ssh, ssh)
  const jump = ssh.jump ?? (last.proxyJump && last.proxyJump !== 'none' ? last.proxyJump : undefined)
  const jumps = (jump ? jump.split(',') : [])
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) =>
      resolveHop(parseHopSpec(part), ssh, { knownHosts: ssh.knownHosts, strictHostKey: ssh.strictHostKey }),
    )
  return [...jumps, last].map(({ proxyJump: _proxyJump, ...hop }) => hop)
}

// ── known_hosts ───────────────────────────────────────────────────────────────────────────────────

/** The name a host's key is filed under in known_hosts: `host`, or `[host]:port` off port 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`
}

export function keyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
}

function keyTypeOf(key: Buffer): string {
  const length = key.readUInt32BE(0)
  return key.subarray(4, 4 + length).toString('latin1')
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|')
    if (!salt || !hash) return false
    return createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64') === hash
  }
  const negated = pattern.startsWith('!')
  const glob = (negated ? pattern.slice(1) : pattern).replace(/[.+^${}()|[\]\\]/g, '\\$&')
  const regexp = new RegExp(`^${glob.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i')
  return regexp.test(name) && !negated
}

export type HostKeyVerdict = 'known' | 'unknown' | 'changed'

/** Compares a presented key with the known_hosts lines for `name`. */
export function checkKnownHosts(text: string, name: string, key: Buffer): HostKeyVerdict {
  const type = keyTypeOf(key)
  const presented = key.toString('base64')
  let changed = false
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const fields = line.split(/\s+/)
    if (fields[0].startsWith('@')) {
      if (fields[0] === '@revoked' && fields[3] === presented) return 'changed'
      continue
    }
    const [patterns, lineType, blob] = fields
    if (!blob || !patterns.split(',').some((pattern) => patternMatches(pattern, name))) continue
    if (blob === presented) return 'known'
    if (lineType === type) changed = true
  }
  return changed ? 'changed' : 'unknown'
}

function recordHostKey(file: string, name: string, key: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const separator = text && !text.endsWith('\n') ? '\n' : ''
  appendFileSync(file, `${separator}${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 })
}

// ── Errors ────────────────────────────────────────────────────────────────────────────────────────

function sshError(hop: Hop, error: Error & { level?: string; code?: string }, step: string, timeoutMs: number) {
  const where = `the SSH host ${hop.alias}${hop.alias === hop.host ? '' : ` (${hop.host})`}:${hop.port}`
  const details = { hop: step, sshHost: hop.alias, driverCode: error.code, level: error.level }
  if (error instanceof Migr8Error) return error
  if (error.level === 'client-timeout' || error.code === 'ETIMEDOUT') {
    return new Migr8Error(
      'CONNECT_TIMEOUT',
      `Connecting to ${where} timed out after ${timeoutMs} ms (${error.message}).`,
      'Check the SSH host and port (database.ssh.host/port), your VPN and firewall, or raise database.connectTimeout.',
      { ...details, hop: 'ssh-reachable' },
      error,
    )
  }
  if (
    error.level === 'client-socket' ||
    /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/.test(error.code ?? '')
  ) {
    return new Migr8Error(
      'HOST_UNREACHABLE',
      `Cannot reach ${where}: ${error.code ?? error.message}.`,
      'Check database.ssh.host and database.ssh.port (or the ~/.ssh/config alias), that sshd runs there and that no firewall blocks you.',
      { ...details, hop: 'ssh-reachable' },
      error,
    )
  }
  if (error.level === 'client-authentication') {
    return new Migr8Error(
      'AUTH_FAILED',
      `SSH authentication failed for ${hop.user}@${where}: the server accepted none of the offered methods.`,
      `Check database.ssh.user, and that the key (database.ssh.identityFile${hop.identityFiles.length ? `: ${hop.identityFiles.join(', ')}` : ''}) is in the server's authorized_keys, the ssh-agent holds it (database.ssh.agent), or the SSH password is right.`,
      { ...details, hop: 'ssh-authenticated' },
      error,
    )
  }
  return new Migr8Error(
    'HOST_UNREACHABLE',
    `The SSH connection to ${where} failed: ${error.message}.`,
    'Check the SSH settings of this profile (database.ssh) and that the SSH server allows TCP forwarding (AllowTcpForwarding).',
    details,
    error,
  )
}

function readKey(path: string, passphrase: string | undefined, explicit: boolean): Buffer | undefined {
  let buffer: Buffer
  try {
    buffer = readFileSync(path)
  } catch (error) {
    if (!explicit) return undefined
    throw new Migr8Error(
      'CONFIG_INVALID',
      `Cannot read the SSH key file ${path}: ${(error as Error).message}.`,
      'Check database.ssh.identityFile points at a readable private key (e.g. ~/.ssh/id_ed25519).',
      { hop: 'ssh-authenticated', key: 'database.ssh.identityFile' },
    )
  }
  const parsed = ssh2.utils.parseKey(buffer, passphrase)
  if (parsed instanceof Error) {
    if (!explicit) return undefined
    const encrypted = /encrypted|passphrase|bad decrypt/i.test(parsed.message)
    throw new Migr8Error(
      'AUTH_FAILED',
      encrypted
        ? `The SSH key ${path} is encrypted and ${passphrase ? 'the passphrase is wrong' : 'no passphrase was given'}.`
        : `The SSH key ${path} cannot be used: ${parsed.message}.`,
      encrypted
        ? 'Set database.ssh.passphrase (e.g. ${SSH_KEY_PASSPHRASE}), or load the key into ssh-agent and set database.ssh.agent: true.'
        : 'Use an OpenSSH or PEM private key (ssh-keygen -t ed25519).',
      { hop: 'ssh-authenticated', key: 'database.ssh.identityFile' },
    )
  }
  return buffer
}

// ── Connecting ────────────────────────────────────────────────────────────────────────────────────

function connectHop(
  hop: Hop,
  ssh: SshTunnelConfig,
  sock: Duplex | undefined,
  timeoutMs: number,
  options: TunnelOptions,
): Promise<Client> {
  const started = performance.now()
  const username = hop.user
  const explicitKey = ssh.identityFile !== undefined && hop.identityFiles[0] === ssh.identityFile
  const keys = hop.identityFiles
    .map((path) => readKey(path, ssh.passphrase, explicitKey))
    .filter((key): key is Buffer => key !== undefined)
  const agent =
    ssh.agent === true || (ssh.agent === undefined && keys.length === 0 && !ssh.password)
      ? process.env.SSH_AUTH_SOCK
      : typeof ssh.agent === 'string'
        ? ssh.agent
        : undefined
  const methods: Array<Record<string, unknown>> = [
    ...keys.map((key) => ({ type: 'publickey', username, key, passphrase: ssh.passphrase })),
    ...(agent ? [{ type: 'agent', username, agent }] : []),
    ...(ssh.password !== undefined
      ? [
          { type: 'password', username, password: ssh.password },
          {
            type: 'keyboard-interactive',
            username,
            prompt: (_n: string, _i: string, _l: string, prompts: unknown[], finish: (answers: string[]) => void) =>
              finish(prompts.map(() => ssh.password!)),
          },
        ]
      : []),
  ]
  if (methods.length === 0) {
    throw new Migr8Error(
      'AUTH_FAILED',
      `No way to authenticate to the SSH host ${hop.alias}: no key file, no ssh-agent (SSH_AUTH_SOCK) and no password.`,
      'Set database.ssh.identityFile (with passphrase if the key is encrypted), database.ssh.agent: true, or database.ssh.password.',
      { hop: 'ssh-authenticated', sshHost: hop.alias },
    )
  }

  return new Promise<Client>((resolve, reject) => {
    const client = new ssh2.Client()
    let hostKeyError: Migr8Error | undefined
    let settled = false
    const fail = (error: Error) => {
      if (settled) return
      settled = true
      options.signal?.removeEventListener('abort', onAbort)
      client.end()
      reject(hostKeyError ?? sshError(hop, error, 'ssh-reachable', timeoutMs))
    }
    const onAbort = () => fail(new Migr8Error('CANCELLED', 'Cancelled while opening the SSH tunnel.', 'Run it again.'))
    options.signal?.addEventListener('abort', onAbort, { once: true })

    const name = knownHostsName(hop.host, hop.port)
    const hostVerifier = (key: Buffer, verify: (ok: boolean) => void) => {
      const info: HostKeyInfo = {
        alias: hop.alias,
        host: hop.host,
        port: hop.port,
        keyType: keyTypeOf(key),
        fingerprint: keyFingerprint(key),
        knownHosts: hop.knownHosts,
      }
      const text = existsSync(hop.knownHosts) ? readFileSync(hop.knownHosts, 'utf8') : ''
      const verdict = checkKnownHosts(text, name, key)
      if (verdict === 'known' || hop.strictHostKey === 'no') return verify(true)
      if (verdict === 'changed') {
        hostKeyError = new Migr8Error(
          'AUTH_FAILED',
          `The host key of the SSH host ${hop.alias} (${name}) has CHANGED: it now presents ${info.keyType} ${info.fingerprint}, which does not match ${hop.knownHosts}. Someone may be intercepting the connection.`,
          `If the server was really re-installed, remove the old key (ssh-keygen -R '${name}' -f ${hop.knownHosts}) and connect again; otherwise do not connect.`,
          { hop: 'ssh-hostkey', sshHost: hop.alias, fingerprint: info.fingerprint, keyType: info.keyType },
        )
        return verify(false)
      }
      const accept = () => {
        try {
          recordHostKey(hop.knownHosts, name, key)
        } catch {
          // An unwritable known_hosts still lets this connection go on, as ssh does.
        }
        verify(true)
      }
      if (hop.strictHostKey === 'accept-new' || options.acceptHostKeys?.includes(info.fingerprint)) return accept()
      const unknown = () =>
        new Migr8Error(
          'CONFIRMATION_REQUIRED',
          `The SSH host ${hop.alias} (${name}) is not in ${hop.knownHosts}; it presents ${info.keyType} key ${info.fingerprint}.`,
          `Check the fingerprint with the server's administrator, then confirm it (the app asks; on a terminal migr8 asks), or add it with ssh-keyscan -p ${hop.port} ${hop.host} >> ${hop.knownHosts}, or set database.ssh.strictHostKey: accept-new.`,
          { hop: 'ssh-hostkey', sshHost: hop.alias, ...info },
        )
      if (!options.confirmHostKey) {
        hostKeyError = unknown()
        return verify(false)
      }
      options.confirmHostKey(info).then(
        (yes) => {
          if (yes) return accept()
          hostKeyError = unknown()
          verify(false)
        },
        (error: Error) => {
          hostKeyError = sshError(hop, error, 'ssh-hostkey', timeoutMs)
          verify(false)
        },
      )
    }

    client.on('handshake', () =>
      options.onStep?.({
        hop: 'ssh-reachable',
        host: hop.alias,
        ms: Math.round(performance.now() - started),
        detail: `${hop.host}:${hop.port}, host key checked (${hop.strictHostKey === 'no' ? 'not verified: strictHostKey no' : name})`,
      }),
    )
    client.on('ready', () => {
      if (settled) return
      settled = true
      options.signal?.removeEventListener('abort', onAbort)
      options.onStep?.({
        hop: 'ssh-authenticated',
        host: hop.alias,
        ms: Math.round(performance.now() - started),
        detail: `as ${username}`,
      })
      resolve(client)
    })
    client.on('error', fail)
    client.on('close', () => fail(new Error('the SSH server closed the connection')))

    const config: ConnectConfig = {
      host: hop.host,
      port: hop.port,
      username,
      sock: sock as ConnectConfig['sock'],
      readyTimeout: timeoutMs,
      keepaliveInterval: ssh.keepaliveMs ?? 15_000,
      keepaliveCountMax: 3,
      hostVerifier,
      authHandler: methods as unknown as AuthenticationType[],
      tryKeyboard: ssh.password !== undefined,
    }
    try {
      client.connect(config)
    } catch (error) {
      fail(error as Error)
    }
  })
}

function forwardOut(client: Client, host: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    client.forwardOut('127.0.0.1', 0, host, port, (error, stream) => (error ? reject(error) : resolve(stream)))
  })
}

function forwardError(from: Hop, host: string, port: number, error: Error, what: string): Migr8Error {
  return new Migr8Error(
    'HOST_UNREACHABLE',
    `The SSH host ${from.alias} cannot reach ${what} ${host}:${port}: ${error.message.replace(/^\(SSH\) /, '')}.`,
    `Check the ${what} host and port as seen from ${from.alias} (database.host/port are resolved on the SSH host, e.g. a private address or localhost), that it is running, and that sshd allows forwarding there (AllowTcpForwarding, PermitOpen).`,
    { hop: 'ssh-forward', sshHost: from.alias, target: `${host}:${port}` },
    error,
  )
}

/**
 * Opens the tunnel for `connection.ssh` and returns the connection through it. TLS verify-full
 * keeps checking the original host name (`tlsServername`).
 */
export async function openTunnel(connection: ConnectionConfig, options: TunnelOptions = {}): Promise<Tunnel> {
  const ssh = connection.ssh
  if (!ssh) throw new Error('openTunnel: the connection has no ssh section')
  const hops = resolveHops(ssh)
  const timeoutMs = connection.connectTimeoutMs
  const clients: Client[] = []
  const closeClients = () => clients.reverse().forEach((client) => client.end())
  try {
    let sock: Duplex | undefined
    for (const [index, hop] of hops.entries()) {
      if (index > 0) {
        const previous = hops[index - 1]
        sock = await forwardOut(clients[index - 1], hop.host, hop.port).catch((error: Error) => {
          throw forwardError(previous, hop.host, hop.port, error, 'the next SSH host')
        })
      }
      clients.push(await connectHop(hop, ssh, sock, timeoutMs, options))
    }
  } catch (error) {
    closeClients()
    throw error
  }

  const bastion = hops[hops.length - 1]
  const client = clients[clients.length - 1]
  const target = { host: connection.host, port: connection.port }
  // Prove the bastion reaches the database once, so a wrong database host is reported as such.
  const started = performance.now()
  try {
    const probe = await forwardOut(client, target.host, target.port)
    probe.destroy()
  } catch (error) {
    closeClients()
    throw forwardError(bastion, target.host, target.port, error as Error, 'the database')
  }
  options.onStep?.({
    hop: 'ssh-forward',
    host: bastion.alias,
    ms: Math.round(performance.now() - started),
    detail: `${bastion.alias} reaches ${target.host}:${target.port}`,
  })

  let lastForwardError: Error | undefined
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    client.forwardOut('127.0.0.1', socket.remotePort ?? 0, target.host, target.port, (error, stream) => {
      if (error) {
        lastForwardError = forwardError(bastion, target.host, target.port, error, 'the database')
        socket.destroy()
        return
      }
      stream.on('error', () => socket.destroy())
      stream.on('close', () => socket.destroy())
      socket.on('close', () => stream.destroy())
      socket.pipe(stream).pipe(socket)
    })
  })
  client.on('error', (error) => (lastForwardError = sshError(bastion, error, 'ssh-forward', timeoutMs)))
  let closed: Promise<void> | undefined
  client.on('close', () => {
    if (closed) return
    lastForwardError ??= new Migr8Error(
      'CONNECTION_LOST',
      `The SSH connection to ${bastion.alias} was closed.`,
      'Check the SSH host is up (and its ClientAliveInterval), then run the command again.',
      { hop: 'ssh-forward', sshHost: bastion.alias },
    )
    for (const socket of sockets) socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const localPort = (server.address() as AddressInfo).port

  const { ssh: _ssh, ...rest } = connection
  const tunnelled: ConnectionConfig = {
    ...rest,
    host: '127.0.0.1',
    port: localPort,
    tlsServername: connection.tlsServername ?? connection.host,
    via: { ssh: hops.map((hop) => hop.alias).join(' → '), host: target.host, port: target.port },
  }
  return {
    connection: tunnelled,
    localPort,
    lastForwardError: () => lastForwardError,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
        closeClients()
      })),
  }
}

/** The first-use prompt on a terminal (as ssh asks); undefined when stdin is not a terminal. */
export function terminalHostKeyPrompt(): ConfirmHostKey | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined
  return async (info) => {
    const { createInterface } = await import('node:readline/promises')
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    try {
      const answer = await rl.question(
        `The authenticity of SSH host '${info.alias}' (${knownHostsName(info.host, info.port)}) can't be established.\n` +
          `${info.keyType} key fingerprint is ${info.fingerprint}.\n` +
          `Record it in ${info.knownHosts} and continue connecting (yes/no)? `,
      )
      return /^y(es)?$/i.test(answer.trim())
    } finally {
      rl.close()
    }
  }
}
