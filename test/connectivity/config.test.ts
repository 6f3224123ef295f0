import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src-main/config/load.js'
import { parseSshConfig } from '../../src-main/db/ssh-config.js'
import { Migr8Error } from '../../src-shared/errors.js'

const dir = mkdtempSync(join(tmpdir(), 'migr8-ssh-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('database.ssh in migr8.yaml and MIGR8_SSH_*', () => {
  it('reads the section with ${VAR}, resolves paths, and keeps secrets out of errors', () => {
    const file = join(dir, 'migr8.yaml')
    writeFileSync(
      file,
      [
        'database:',
        '  driver: postgres',
        '  host: db.internal',
        '  name: app',
        '  ssh:',
        '    host: bastion',
        '    user: deploy',
        '    identityFile: ~/.ssh/id_ed25519',
        '    passphrase: ${KEY_PASS}',
        '    knownHosts: ./known_hosts',
        '    strictHostKey: accept-new',
        '    keepalive: 30s',
        '',
      ].join('\n'),
    )
    const { connection } = loadConfig({ file, env: { KEY_PASS: 's3cret' } })
    expect(connection.ssh).toEqual({
      host: 'bastion',
      user: 'deploy',
      identityFile: join(homedir(), '.ssh/id_ed25519'),
      passphrase: 's3cret',
      knownHosts: join(dir, 'known_hosts'),
      strictHostKey: 'accept-new',
      configFile: undefined,
      keepaliveMs: 30_000,
    })
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, 'database:\n  driver: postgres\n  name: app\n  ssh:\n    host: b\n    passphrase: 12345\n')
    const error = (() => {
      try {
        loadConfig({ file: bad, env: {} })
      } catch (caught) {
        return caught as Migr8Error
      }
    })()
    expect(error?.code).toBe('CONFIG_INVALID')
    expect(error?.message).toContain('database.ssh.passphrase')
    expect(error?.message).not.toContain('12345')
  })

  it('takes the tunnel from MIGR8_SSH_* variables', () => {
    const empty = mkdtempSync(join(dir, 'env-'))
    const { connection } = loadConfig({
      cwd: empty,
      env: {
        MIGR8_URL: 'postgres://u@10.0.0.5/app',
        MIGR8_SSH_HOST: 'bastion',
        MIGR8_SSH_PORT: '2222',
        MIGR8_SSH_PASSWORD: 'pw',
        MIGR8_SSH_STRICT_HOST_KEY: 'yes',
      },
    })
    expect(connection.ssh).toMatchObject({ host: 'bastion', port: 2222, password: 'pw', strictHostKey: 'yes' })
  })
})

describe('~/.ssh/config', () => {
  it('takes the first value per key from matching Host blocks, with negation and wildcards', () => {
    const text = [
      'Host bastion',
      '  HostName 203.0.113.7',
      '  User deploy',
      '  IdentityFile ~/.ssh/bastion_key',
      '  ProxyJump jump@gate:2222',
      'Host *.internal !secret.internal',
      '  User internal',
      'Host *',
      '  User fallback',
      '  Port 2200',
      '  IdentityFile ~/.ssh/id_ed25519',
      '  StrictHostKeyChecking accept-new',
    ].join('\n')
    expect(parseSshConfig(text, 'bastion')).toEqual({
      hostName: '203.0.113.7',
      user: 'deploy',
      port: 2200,
      proxyJump: 'jump@gate:2222',
      identityFiles: [join(homedir(), '.ssh/bastion_key'), join(homedir(), '.ssh/id_ed25519')],
      strictHostKeyChecking: 'accept-new',
    })
    expect(parseSshConfig(text, 'db.internal').user).toBe('internal')
    expect(parseSshConfig(text, 'secret.internal').user).toBe('fallback')
  })
})
