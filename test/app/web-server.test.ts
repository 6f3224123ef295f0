import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { startWebServer, type WebServer } from '../../src-main/transport/web.js'
import { makeApi, tempDir } from './support.js'

let server: WebServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start() {
  const api = await makeApi({ demo: true })
  const rendererDir = tempDir('migr8-renderer-')
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Migr8</title>')
  mkdirSync(join(rendererDir, 'assets'))
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  writeFileSync(join(rendererDir, 'assets', 'app.css'), 'body{}')
  writeFileSync(join(rendererDir, '..', 'outside-secret.txt'), 'outside')
  server = await startWebServer({ dispatch: api.dispatch, events: api.context.jobs, rendererDir, maxBodyBytes: 4096 })
  return { ...api, server }
}

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function send(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: { host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        )
      },
    )
    req.on('error', reject)
    if (options.body) req.write(options.body)
    req.end()
  })
}

const call = (server: WebServer, channel: unknown, input?: unknown, headers: Record<string, string> = {}) =>
  send(server.port, {
    method: 'POST',
    path: '/api/call',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ channel, input }),
  })

describe('web server transport', () => {
  it('listens on 127.0.0.1 with a random port and prints a URL carrying the token in the fragment', async () => {
    const { server } = await start()
    expect(server.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`)
    expect(server.token.length).toBeGreaterThanOrEqual(40)
  })

  it('serves calls with the token and answers unknown channels with a typed error', async () => {
    const { server } = await start()
    const list = await call(server, 'profiles.list')
    expect(list.status).toBe(200)
    expect(JSON.parse(list.body)).toMatchObject({ ok: true, value: [{ name: 'Demo (SQLite)' }] })
    const unknown = await call(server, 'profiles.dropAll')
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } })
  })

  it('refuses calls without the right token, content type or size', async () => {
    const { server } = await start()
    expect((await call(server, 'profiles.list', undefined, { authorization: '' })).status).toBe(401)
    expect((await call(server, 'profiles.list', undefined, { authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await call(server, 'profiles.list', undefined, { 'content-type': 'text/plain' })).status).toBe(415)
    const big = await call(server, 'profiles.import', { document: 'x'.repeat(10_000) })
    expect(big.status).toBe(413)
    expect(JSON.parse(big.body)).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } })
    const garbage = await send(server.port, {
      method: 'POST',
      path: '/api/call',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: '{nope',
    })
    expect(garbage.status).toBe(400)
    expect((await send(server.port, { path: '/api/call' })).status).toBe(405)
  })

  it('refuses a foreign Host (DNS rebinding) and a cross-site Origin', async () => {
    const { server } = await start()
    expect((await send(server.port, { headers: { host: 'evil.example:80' } })).status).toBe(421)
    expect((await send(server.port, { headers: { host: `attacker.test:${server.port}` } })).status).toBe(421)
    expect((await call(server, 'profiles.list', undefined, { host: 'evil.example' })).status).toBe(421)
    expect((await call(server, 'profiles.list', undefined, { origin: 'http://evil.example' })).status).toBe(403)
    expect((await call(server, 'profiles.list', undefined, { origin: `http://localhost:${server.port}` })).status).toBe(
      200,
    )
    expect((await send(server.port, { headers: { host: `localhost:${server.port}` } })).status).toBe(200)
  })

  it('serves static files with the right MIME type, security headers, no listing and no traversal', async () => {
    const { server } = await start()
    const index = await send(server.port, {})
    expect(index.status).toBe(200)
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
    expect(index.headers['content-security-policy']).toContain("script-src 'self'")
    expect(index.headers['content-security-policy']).toContain(`ws://127.0.0.1:${server.port}`)
    expect(index.headers['x-content-type-options']).toBe('nosniff')
    expect(index.headers['x-frame-options']).toBe('DENY')
    expect((await send(server.port, { path: '/assets/app.js' })).headers['content-type']).toBe(
      'text/javascript; charset=utf-8',
    )
    expect((await send(server.port, { path: '/assets/app.css' })).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    )
    expect((await send(server.port, { path: '/assets/' })).status).toBe(404)
    for (const path of [
      '/../outside-secret.txt',
      '/%2e%2e/outside-secret.txt',
      '/assets/..%2f..%2foutside-secret.txt',
      '/..%5coutside-secret.txt',
      '/%00',
      '/nope.js',
    ]) {
      const reply = await send(server.port, { path })
      expect(reply.status, path).toBeGreaterThanOrEqual(400)
      expect(reply.body).not.toContain('outside')
    }
    expect((await send(server.port, { method: 'DELETE', path: '/index.html' })).status).toBe(405)
  })

  it('streams job events over the WebSocket only with the token and a local origin', async () => {
    const { server, dispatch } = await start()
    const base = `ws://127.0.0.1:${server.port}/api/events`
    const refused = (url: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, { headers })
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
        ws.on('open', () => resolve(101))
        ws.on('error', () => undefined)
      })
    expect(await refused(base)).toBe(401)
    expect(await refused(`${base}?token=wrong`)).toBe(401)
    expect(await refused(`${base}?token=${server.token}`, { origin: 'http://evil.example' })).toBe(403)

    const ws = new WebSocket(`${base}?token=${server.token}`, {
      headers: { origin: `http://127.0.0.1:${server.port}` },
    })
    await new Promise((resolve) => ws.on('open', resolve))
    const events: Array<{ type: string }> = []
    const done = new Promise<void>((resolve) =>
      ws.on('message', (data) => {
        const event = JSON.parse(String(data)) as { type: string }
        events.push(event)
        if (event.type === 'done') resolve()
      }),
    )
    await dispatch('profiles.testAll', undefined)
    await done
    expect(events.map((event) => event.type)).toEqual(expect.arrayContaining(['started', 'progress', 'log', 'done']))
    ws.close()
  })
})
