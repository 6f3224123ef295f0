import { describe, expect, it } from 'vitest'
import { CHANNELS, contract } from '../../src-shared/contract.js'
import { Migr8Error } from '../../src-shared/errors.js'
import { createDispatcher, handlers, type HandlerTable } from '../../src-main/api/index.js'
import { makeApi } from './support.js'

describe('contract and handler table', () => {
  it('has exactly one handler per declared call', () => {
    expect(Object.keys(handlers).sort()).toEqual([...CHANNELS].sort())
    for (const channel of CHANNELS) {
      expect(contract[channel].input, channel).toBeDefined()
      expect(contract[channel].output, channel).toBeDefined()
    }
  })
})

describe('dispatch', () => {
  it('rejects unknown channels with a typed error', async () => {
    const { dispatch } = await makeApi()
    for (const channel of [
      'profiles.drop',
      '__proto__',
      'constructor',
      'toString',
      '',
      42,
      null,
      undefined,
      { channel: 'x' },
    ]) {
      const result = await dispatch(channel, {})
      expect(result.ok, String(channel)).toBe(false)
      if (!result.ok) expect(result.error.code).toBe('IPC_INVALID')
    }
  })

  it.each([
    ['missing name', { driver: 'sqlite', database: 'x.sqlite' }],
    ['empty name', { name: '  ', driver: 'sqlite', database: 'x.sqlite' }],
    ['unknown driver', { name: 'a', driver: 'oracle', database: 'x' }],
    ['port out of range', { name: 'a', driver: 'postgres', database: 'x', port: 70000 }],
    ['port as text', { name: 'a', driver: 'postgres', database: 'x', port: '5432' }],
    ['unknown key', { name: 'a', driver: 'sqlite', database: 'x', evil: true }],
    ['unknown ssl mode', { name: 'a', driver: 'postgres', database: 'x', ssl: { mode: 'maybe' } }],
    ['unknown environment', { name: 'a', driver: 'sqlite', database: 'x', environment: 'prod' }],
    ['array instead of object', []],
    ['string instead of object', 'profiles'],
    ['null', null],
    ['huge name', { name: 'x'.repeat(10_000), driver: 'sqlite', database: 'x' }],
  ])('rejects a malformed profiles.save payload: %s', async (_label, input) => {
    const { dispatch, context } = await makeApi()
    const result = await dispatch('profiles.save', input)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.error.code).toBe('IPC_INVALID')
      expect(result.error.message).toMatch(/^Invalid input for profiles\.save/)
      expect(result.error.remedy).toBeTruthy()
    }
    expect(context.profiles.list()).toEqual([])
  })

  it('rejects malformed inputs of other calls', async () => {
    const { dispatch } = await makeApi()
    for (const [channel, input] of [
      ['profiles.get', {}],
      ['profiles.get', { id: 5 }],
      ['profiles.delete', { id: '' }],
      ['profiles.test', { id: 'x', draft: {} }],
      ['profiles.test', {}],
      ['jobs.cancel', { job: 'x' }],
      ['profiles.list', { extra: 1 }],
      ['app.openExternal', { url: 5 }],
    ] as const) {
      const result = await dispatch(channel, input)
      expect(result.ok, `${channel} ${JSON.stringify(input)}`).toBe(false)
      if (!result.ok) expect(result.error.code).toBe('IPC_INVALID')
    }
  })

  it('passes typed errors through and hides unexpected ones behind INTERNAL', async () => {
    const { context } = await makeApi()
    const failing = {
      ...handlers,
      'profiles.list': async () => {
        throw new Migr8Error('SECRET_STORE_UNAVAILABLE', 'no keychain', 'ask each time')
      },
      'jobs.list': async () => {
        throw new TypeError('boom')
      },
    } as HandlerTable
    const dispatch = createDispatcher(context, failing)
    expect(await dispatch('profiles.list', undefined)).toEqual({
      ok: false,
      error: { code: 'SECRET_STORE_UNAVAILABLE', message: 'no keychain', remedy: 'ask each time' },
    })
    const internal = await dispatch('jobs.list', undefined)
    expect(internal.ok).toBe(false)
    if (!internal.ok) expect(internal.error).toMatchObject({ code: 'INTERNAL', message: 'boom' })
  })

  it('strips fields the contract does not declare, so a handler cannot leak a password', async () => {
    const { context } = await makeApi()
    const leaky = {
      ...handlers,
      'profiles.get': async () => ({
        id: '1',
        name: 'x',
        driver: 'postgres',
        ssl: { mode: 'prefer' },
        environment: 'development',
        folders: {},
        readOnly: false,
        passwordMode: 'stored',
        hasPassword: true,
        hasSshPassword: true,
        hasSshPassphrase: false,
        demo: false,
        createdAt: 'now',
        updatedAt: 'now',
        password: 'hunter2',
        sshPassword: 'hunter2',
      }),
    } as unknown as HandlerTable
    const result = await createDispatcher(context, leaky)('profiles.get', { id: '1' })
    expect(result.ok).toBe(true)
    expect(JSON.stringify(result)).not.toContain('hunter2')
  })

  it('reports a handler result that breaks the contract as INTERNAL', async () => {
    const { context } = await makeApi()
    const broken = { ...handlers, 'jobs.cancel': async () => ({ cancelled: 'yes' }) } as unknown as HandlerTable
    const result = await createDispatcher(context, broken)('jobs.cancel', { jobId: 'x' })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.code).toBe('INTERNAL')
  })

  it('answers app.info with the secret storage in use', async () => {
    const { dispatch } = await makeApi()
    const result = await dispatch('app.info', undefined)
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.value).toMatchObject({ mode: 'web', secrets: { kind: 'file', available: true } })
  })

  it('opens external links only through the injected, validated wrapper', async () => {
    const { dispatch, context } = await makeApi()
    expect(await dispatch('app.openExternal', { url: 'https://example.com' })).toEqual({
      ok: true,
      value: { opened: false },
    })
    const opened: string[] = []
    context.openExternal = async (url) => (opened.push(url), true)
    expect(await dispatch('app.openExternal', { url: 'https://example.com' })).toEqual({
      ok: true,
      value: { opened: true },
    })
    expect(opened).toEqual(['https://example.com'])
  })
})
