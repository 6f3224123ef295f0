import { describe, expect, it } from 'vitest'
import { connectionUrl, maskUrl, parseDatabaseUrl, type ConnectionConfig } from '../../src-main/config/index.js'
import { Migr8Error } from '../../src-shared/errors.js'

function errorOf(url: string): Migr8Error {
  try {
    parseDatabaseUrl(url)
  } catch (error) {
    expect(error).toBeInstanceOf(Migr8Error)
    return error as Migr8Error
  }
  throw new Error(`${url} parsed without an error`)
}

function connection(overrides: Partial<ConnectionConfig>): ConnectionConfig {
  return {
    driver: 'postgres',
    host: 'db',
    port: 5432,
    database: 'app',
    user: 'app',
    ssl: { mode: 'prefer' },
    connectTimeoutMs: 10_000,
    poolMax: 4,
    ...overrides,
  }
}

describe('parseDatabaseUrl', () => {
  it('reads every part of server URLs, leaving absent parts undefined', () => {
    expect(parseDatabaseUrl('postgres://alice:s3cret@db.example.com:6432/shop')).toEqual({
      driver: 'postgres',
      host: 'db.example.com',
      port: 6432,
      name: 'shop',
      user: 'alice',
      password: 's3cret',
    })
    expect(parseDatabaseUrl('postgresql://db/shop')).toEqual({ driver: 'postgres', host: 'db', name: 'shop' })
    expect(parseDatabaseUrl('mysql://root@127.0.0.1/test')).toEqual({
      driver: 'mysql',
      host: '127.0.0.1',
      name: 'test',
      user: 'root',
    })
    expect(parseDatabaseUrl('mariadb://m:3307')).toEqual({ driver: 'mysql', host: 'm', port: 3307 })
    expect(parseDatabaseUrl('POSTGRES://Db/x').driver).toBe('postgres')
  })

  it('decodes percent-escapes in user, password and database name', () => {
    expect(parseDatabaseUrl('postgres://us%40er:p%40ss%3Aw%2Frd%25@h/my%20db')).toMatchObject({
      user: 'us@er',
      password: 'p@ss:w/rd%',
      name: 'my db',
    })
  })

  it('reads IPv6 hosts without brackets', () => {
    expect(parseDatabaseUrl('postgres://u@[::1]:5433/db')).toMatchObject({ host: '::1', port: 5433 })
  })

  it('normalises sslmode spellings of libpq and MySQL, and reads schema / search_path', () => {
    expect(parseDatabaseUrl('postgres://h/d?sslmode=verify-full').ssl).toEqual({ mode: 'verify-full' })
    expect(parseDatabaseUrl('mysql://h/d?ssl-mode=REQUIRED').ssl).toEqual({ mode: 'require' })
    expect(parseDatabaseUrl('mysql://h/d?ssl-mode=DISABLED').ssl).toEqual({ mode: 'disable' })
    expect(parseDatabaseUrl('mysql://h/d?ssl-mode=PREFERRED').ssl).toEqual({ mode: 'prefer' })
    expect(parseDatabaseUrl('mysql://h/d?ssl-mode=VERIFY_CA').ssl).toEqual({ mode: 'verify-ca' })
    expect(parseDatabaseUrl('postgres://h/d?schema=app').schema).toBe('app')
    expect(parseDatabaseUrl('postgres://h/d?search_path=tenant').schema).toBe('tenant')
  })

  it('reads SQLite URLs: relative, absolute, file: and :memory:', () => {
    expect(parseDatabaseUrl('sqlite:./data/app.sqlite')).toEqual({ driver: 'sqlite', name: './data/app.sqlite' })
    expect(parseDatabaseUrl('sqlite:///var/lib/app.db')).toEqual({ driver: 'sqlite', name: '/var/lib/app.db' })
    expect(parseDatabaseUrl('sqlite://rel.db')).toEqual({ driver: 'sqlite', name: 'rel.db' })
    expect(parseDatabaseUrl('sqlite3:app.db?mode=rwc')).toEqual({ driver: 'sqlite', name: 'app.db' })
    expect(parseDatabaseUrl('file:./x%20y.db')).toEqual({ driver: 'sqlite', name: './x y.db' })
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ driver: 'sqlite', name: ':memory:' })
  })

  it.each([
    ['oracle://scott:tiger@h/orcl', 'unknown scheme', 'tiger'],
    ['not a url', 'unknown scheme', undefined],
    ['', 'unknown scheme', undefined],
    ['postgres://u:pw@h:99999/db', 'could not be parsed', 'pw@'],
    ['postgres://h/d?sslmode=sometimes', 'sometimes', undefined],
    ['sqlite:', 'no database file', undefined],
    ['sqlite:?cache=shared', 'no database file', undefined],
    ['postgres://u:%zzpw@h/db', '%-escape', '%zzpw'],
    ['postgres://u%zz@h/db', '%-escape', undefined],
    ['postgres://h/d%zz', '%-escape', undefined],
    ['sqlite:./a%zz.db', '%-escape', undefined],
  ])('rejects %j as CONFIG_INVALID (%s), never showing the password', (url, why, secret) => {
    const error = errorOf(url)
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toContain(why)
    expect(error.message).toContain('database URL')
    expect(error.remedy).toContain('postgres://')
    if (secret) expect(error.message).not.toContain(secret)
  })
})

describe('connectionUrl', () => {
  it('masks the password unless asked, and omits it when there is none', () => {
    const c = connection({ password: 'p@ss word' })
    expect(connectionUrl(c)).toBe('postgres://app:****@db:5432/app')
    expect(connectionUrl(c, { revealPassword: true })).toBe('postgres://app:p%40ss%20word@db:5432/app')
    expect(connectionUrl(connection({}))).toBe('postgres://app@db:5432/app')
    expect(connectionUrl(connection({ user: '', password: 'x' }))).toBe('postgres://db:5432/app')
  })

  it('writes mysql, IPv6 brackets, a non-default sslmode and SQLite paths', () => {
    expect(connectionUrl(connection({ driver: 'mysql', port: 3306, ssl: { mode: 'require' } }))).toBe(
      'mysql://app@db:3306/app?sslmode=require',
    )
    expect(connectionUrl(connection({ host: '::1' }))).toBe('postgres://app@[::1]:5432/app')
    expect(connectionUrl(connection({ driver: 'sqlite', database: '/tmp/a b.sqlite' }))).toBe('sqlite:/tmp/a b.sqlite')
  })

  it('round-trips through parseDatabaseUrl when the password is revealed', () => {
    const c = connection({ user: 'us@r', password: 'p:w/@%?#', database: 'd b', port: 6000, ssl: { mode: 'disable' } })
    expect(parseDatabaseUrl(connectionUrl(c, { revealPassword: true }))).toEqual({
      driver: 'postgres',
      host: 'db',
      port: 6000,
      name: 'd b',
      user: 'us@r',
      password: 'p:w/@%?#',
      ssl: { mode: 'disable' },
    })
  })
})

describe('maskUrl', () => {
  it.each([
    ['postgres://u:secret@h/db', 'postgres://u:****@h/db'],
    ['postgres://u:p@ss@h/db', 'postgres://u:****@h/db'],
    ['postgres://u:a@b@c@h:5432/db?sslmode=require', 'postgres://u:****@h:5432/db?sslmode=require'],
    ['mysql://:only-password@h/db', 'mysql://:****@h/db'],
    ['postgres://u@h/db', 'postgres://u@h/db'],
    ['postgres://h/db?note=a:b@c', 'postgres://h/db?note=a:b@c'],
    ['sqlite:./x.db', 'sqlite:./x.db'],
    ['no url here', 'no url here'],
  ])('%s → %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked)
  })
})
