/**
 * The profile spec, shared by browser mode (Chromium against `migr8 web`) and Electron mode: create
 * profiles of each driver, test connections (success and each failure kind), edit, delete, reload
 * and see them persist, and prove no password ever reaches a response or the DOM.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, expect, it } from 'vitest'
import { missing, startSshd } from '../../test/connectivity/support/servers.js'
import { SERVER_DEFAULTS, serverUnavailable } from '../../test/support/databases.js'
import { ARTIFACTS } from './app.js'
import { skipWithReason } from '../../test/support/skip.js'

export interface SpecTarget {
  /** Prefix of screenshot files, e.g. "browser" or "electron". */
  name: string
  page(): Page
  /** Every call result the page received, as text (to search for passwords); undefined where not observable. */
  responses?(): string[]
  /** Reloads the app (keeping the session) and waits for it to render. */
  reload(): Promise<void>
  dataDir(): string
}

const PG_PASSWORD = 'pg-S3cret-never-shown'
const MY_PASSWORD = 'my-Wrong-S3cret-never-shown'
const ASK_PASSWORD = 'ask-Typed-0nce-never-kept'

export function defineProfileSpec(target: SpecTarget): void {
  const sqliteDir = mkdtempSync(join(tmpdir(), 'migr8-e2e-sqlite-'))
  afterAll(() => rmSync(sqliteDir, { recursive: true, force: true }))
  const shot = (page: Page, file: string) => page.screenshot({ path: join(ARTIFACTS, `${target.name}-${file}.png`) })

  const openNewForm = async (page: Page) => {
    await page.getByTestId('new-profile').click()
    await page.getByRole('dialog', { name: 'New connection profile' }).waitFor()
  }

  const fillServerForm = async (
    page: Page,
    values: {
      name: string
      driver: 'PostgreSQL' | 'MySQL / MariaDB'
      host: string
      port: number
      database: string
      user: string
      password?: string
      passwordMode?: 'stored' | 'ask' | 'none'
      ssl?: string
    },
  ) => {
    const dialog = page.getByRole('dialog')
    await dialog.locator('input[name=name]').fill(values.name)
    await dialog.getByRole('radio', { name: values.driver }).click()
    await dialog.locator('input[name=host]').fill(values.host)
    await dialog.locator('input[name=port]').fill(String(values.port))
    await dialog.locator('input[name=database]').fill(values.database)
    await dialog.locator('input[name=user]').fill(values.user)
    await dialog.locator('select[name=passwordMode]').selectOption(values.passwordMode ?? 'stored')
    if (values.password !== undefined) await dialog.locator('input[name=password]').fill(values.password)
    await dialog.locator('select[name=sslMode]').selectOption(values.ssl ?? 'disable')
  }

  const draftTest = async (page: Page) => {
    const dialog = page.getByRole('dialog')
    await dialog.getByTestId('form-test').click()
    const result = dialog.getByTestId('test-result')
    await result.waitFor({ timeout: 20_000 })
    await expect
      .poll(async () => (await dialog.getByTestId('form-test').textContent())?.includes('Testing'), { timeout: 20_000 })
      .toBe(false)
    return {
      ok: (await result.getAttribute('data-ok')) === 'true',
      code: await result.getAttribute('data-code'),
      text: await result.textContent(),
    }
  }

  const select = async (page: Page, name: string) => {
    await page.locator(`[data-testid=profile-item][data-profile-name="${name}"]`).click()
    await page.getByRole('heading', { name }).waitFor()
  }

  /** In Electron without an OS keychain the app fails closed: passwords are asked for each time. */
  const passwordsStored = async (page: Page) =>
    !((await page.locator('.statusbar').textContent()) ?? '').includes('asked each time')

  const testSelected = async (page: Page, password?: string) => {
    await page.getByTestId('test-connection').click()
    if (password !== undefined && (await page.getByTestId('ask-password').count()) > 0) {
      await page.getByTestId('ask-password').fill(password)
      await page.getByTestId('ask-password').press('Enter')
    }
    await expect
      .poll(async () => (await page.getByTestId('test-connection').textContent())?.includes('Testing'), {
        timeout: 20_000,
      })
      .toBe(false)
    const card = page.getByTestId('status-card')
    await card.getByTestId('test-result').waitFor({ timeout: 20_000 })
    const result = card.getByTestId('test-result')
    return {
      ok: (await result.getAttribute('data-ok')) === 'true',
      code: await result.getAttribute('data-code'),
      text: (await card.textContent()) ?? '',
    }
  }

  it('starts with the demo profile, the token removed from the address bar', async () => {
    const page = target.page()
    await page.locator('[data-testid=profile-item][data-profile-name="Demo (SQLite)"]').waitFor()
    expect(page.url()).not.toContain('token=')
    await page.getByTestId('status-card').waitFor()
    const result = await testSelected(page)
    expect(result.ok).toBe(true)
    expect(result.text).toMatch(/SQLite \d/)
    await shot(page, '01-demo-overview')
  })

  it('creates a SQLite profile and connects', async () => {
    const page = target.page()
    await openNewForm(page)
    const dialog = page.getByRole('dialog')
    await dialog.locator('input[name=name]').fill('Local SQLite')
    await dialog.getByRole('radio', { name: 'SQLite' }).click()
    await dialog.locator('input[name=database]').fill(join(sqliteDir, 'app.sqlite'))
    await dialog.locator('input[name=folder]').fill('Local')
    await shot(page, '02-new-sqlite-form')
    await dialog.getByTestId('form-save').click()
    await page.getByRole('heading', { name: 'Local SQLite' }).waitFor()
    expect((await testSelected(page)).ok).toBe(true)
  })

  it('creates a PostgreSQL profile with a password and connects', async (context) => {
    const reason = await serverUnavailable('postgres')
    if (reason) return skipWithReason(context, reason)
    const page = target.page()
    const pg = SERVER_DEFAULTS.postgres
    const stored = await passwordsStored(page)
    await openNewForm(page)
    await fillServerForm(page, {
      name: 'Orders PG',
      driver: 'PostgreSQL',
      host: pg.host,
      port: pg.port,
      database: pg.database,
      user: pg.user,
      password: PG_PASSWORD,
      passwordMode: stored ? 'stored' : 'ask',
    })
    await page.getByRole('dialog').locator('input[name=folder]').fill('Servers')
    await page.getByRole('dialog').getByRole('radio', { name: 'staging' }).click()
    const draft = await draftTest(page)
    expect(draft.ok, draft.text ?? '').toBe(true)
    await shot(page, '03-new-postgres-form')
    await page.getByRole('dialog').getByTestId('form-save').click()
    await page.getByRole('heading', { name: 'Orders PG' }).waitFor()
    const result = await testSelected(page, PG_PASSWORD)
    expect(result.ok, result.text).toBe(true)
    expect(await page.getByTestId('server-version').textContent()).toMatch(/PostgreSQL \d+/)
    expect(await page.getByTestId('server-latency').textContent()).toMatch(/\d+(\.\d+)? ms/)
    // No file of the data dir holds the password in clear (it is encrypted, or not stored at all).
    for (const name of readdirSync(target.dataDir())) {
      const file = join(target.dataDir(), name)
      if (statSync(file).isFile()) expect(readFileSync(file, 'utf8'), name).not.toContain(PG_PASSWORD)
    }
    await shot(page, '04-postgres-overview')
  })

  it('creates a MariaDB profile and connects', async (context) => {
    const reason = await serverUnavailable('mysql')
    if (reason) return skipWithReason(context, reason)
    const page = target.page()
    const my = SERVER_DEFAULTS.mysql
    await openNewForm(page)
    await fillServerForm(page, {
      name: 'Shop MariaDB',
      driver: 'MySQL / MariaDB',
      host: my.host,
      port: my.port,
      database: my.database,
      user: my.user,
      passwordMode: 'none',
    })
    await page.getByRole('dialog').locator('input[name=folder]').fill('Servers')
    await page.getByRole('dialog').getByTestId('form-save').click()
    await page.getByRole('heading', { name: 'Shop MariaDB' }).waitFor()
    const result = await testSelected(page)
    expect(result.ok, result.text).toBe(true)
    expect(await page.getByTestId('server-version').textContent()).toMatch(/MariaDB|MySQL/)
  })

  it('connects through an SSH tunnel: trusts the host key, shows each hop, keeps the passphrase out of the DOM', async (context) => {
    const reason =
      missing(['/usr/sbin/sshd', '/usr/bin/ssh-keygen'], 'SSH tunnel') ?? (await serverUnavailable('postgres'))
    if (reason) return skipWithReason(context, reason)
    const sshd = await startSshd(['127.0.0.1:5432'])
    try {
      const page = target.page()
      const pg = SERVER_DEFAULTS.postgres
      const stored = await passwordsStored(page)
      const knownHosts = join(sqliteDir, 'known_hosts')
      writeFileSync(knownHosts, '')
      await openNewForm(page)
      await fillServerForm(page, {
        name: 'Behind bastion',
        driver: 'PostgreSQL',
        host: pg.host,
        port: pg.port,
        database: pg.database,
        user: pg.user,
        passwordMode: stored ? 'none' : 'ask',
      })
      const dialog = page.getByRole('dialog')
      await dialog.locator('input[name=sshEnabled]').check()
      await dialog.locator('input[name=sshHost]').fill('127.0.0.1')
      await dialog.locator('input[name=sshPort]').fill(String(sshd.port))
      await dialog.locator('input[name=sshUser]').fill('root')
      await dialog.locator('input[name=sshIdentityFile]').fill(sshd.encryptedKey)
      await dialog.locator('input[name=sshPassphrase]').fill(sshd.passphrase)
      await dialog.locator('input[name=sshKnownHosts]').fill(knownHosts)
      await dialog.getByTestId('form-test').click()
      // First contact: the unknown host key is shown to be checked, then trusted.
      await dialog.getByTestId('hostkey-prompt').waitFor({ timeout: 20_000 })
      expect(await dialog.getByTestId('hostkey-fingerprint').textContent()).toBe(sshd.hostKeyFingerprint)
      await dialog.getByTestId('hostkey-prompt').scrollIntoViewIfNeeded()
      await shot(page, '05a-ssh-hostkey-prompt')
      await dialog.getByTestId('ssh-section').scrollIntoViewIfNeeded()
      await shot(page, '05-ssh-form')
      await dialog.getByTestId('hostkey-trust').click()
      await expect
        .poll(async () => dialog.getByTestId('test-result').getAttribute('data-ok'), { timeout: 20_000 })
        .toBe('true')
      const hops = await dialog
        .getByTestId('test-hops')
        .locator('li')
        .evaluateAll((items) =>
          items.map((item) => `${item.getAttribute('data-hop')}:${item.getAttribute('data-status')}`),
        )
      expect(hops).toEqual(
        expect.arrayContaining(['ssh-reachable:ok', 'ssh-authenticated:ok', 'ssh-forward:ok', 'server:ok']),
      )
      expect(readFileSync(knownHosts, 'utf8')).toContain(`[127.0.0.1]:${sshd.port}`)
      await dialog.getByTestId('test-hops').scrollIntoViewIfNeeded()
      await shot(page, '05b-ssh-form-hops')

      await dialog.getByTestId('form-save').click()
      await page.getByRole('heading', { name: 'Behind bastion' }).waitFor()
      expect(await page.content()).not.toContain(sshd.passphrase)
      if (stored) {
        const result = await testSelected(page)
        expect(result.ok, result.text).toBe(true)
        await page.getByTestId('status-card').getByTestId('test-hops').waitFor()
        await shot(page, '05c-ssh-overview')
        await page.getByTestId('edit-profile').click()
        const edit = page.getByRole('dialog')
        await edit.getByTestId('ssh-passphrase-stored').waitFor()
        expect(await edit.locator('input[name=sshPassphrase]').inputValue()).toBe('')
        expect(await page.content()).not.toContain(sshd.passphrase)
        await edit.getByRole('button', { name: 'Cancel' }).click()
      }
      for (const body of target.responses?.() ?? []) expect(body).not.toContain(sshd.passphrase)
    } finally {
      await sshd.stop()
    }
  })

  it('asks every time for an "ask" profile and never keeps that password', async (context) => {
    const reason = await serverUnavailable('postgres')
    if (reason) return skipWithReason(context, reason)
    const page = target.page()
    const pg = SERVER_DEFAULTS.postgres
    await openNewForm(page)
    await fillServerForm(page, {
      name: 'Ask PG',
      driver: 'PostgreSQL',
      host: pg.host,
      port: pg.port,
      database: pg.database,
      user: pg.user,
      passwordMode: 'ask',
    })
    await page.getByRole('dialog').locator('input[name=folder]').fill('Servers')
    await page.getByRole('dialog').getByTestId('form-save').click()
    await page.getByRole('heading', { name: 'Ask PG' }).waitFor()
    await page.getByTestId('test-connection').click()
    await page.getByTestId('ask-password').waitFor()
    await shot(page, '05a-ask-password')
    await page.getByTestId('ask-password').fill(ASK_PASSWORD)
    await page.getByTestId('ask-password').press('Enter')
    await page.getByTestId('status-card').getByTestId('server-version').waitFor({ timeout: 20_000 })
    expect(await page.getByTestId('status-card').textContent()).toContain('PostgreSQL')
    expect(await page.locator('dl.kv').first().textContent()).toContain('asked every time')
    for (const name of readdirSync(target.dataDir())) {
      const file = join(target.dataDir(), name)
      if (statSync(file).isFile()) expect(readFileSync(file, 'utf8'), name).not.toContain(ASK_PASSWORD)
    }
    expect(await page.content()).not.toContain(ASK_PASSWORD)
  })

  it('reports each failure kind in plain English with a remedy', async (context) => {
    const pgReason = await serverUnavailable('postgres')
    const myReason = await serverUnavailable('mysql')
    if (pgReason && myReason) return skipWithReason(context, `${pgReason}; ${myReason}`)
    const page = target.page()
    const pg = SERVER_DEFAULTS.postgres
    const my = SERVER_DEFAULTS.mysql
    const seen: Record<string, string | null> = {}
    await openNewForm(page)
    if (!myReason) {
      await fillServerForm(page, {
        name: 'Bad password',
        driver: 'MySQL / MariaDB',
        host: my.host,
        port: my.port,
        database: my.database,
        user: my.user,
        password: MY_PASSWORD,
      })
      seen.auth = (await draftTest(page)).code
      expect(seen.auth).toBe('AUTH_FAILED')
      await shot(page, '05-auth-failed')
    }
    if (!pgReason) {
      await fillServerForm(page, {
        name: 'Unreachable',
        driver: 'PostgreSQL',
        host: '127.0.0.1',
        port: 1,
        database: pg.database,
        user: pg.user,
        passwordMode: 'none',
      })
      seen.unreachable = (await draftTest(page)).code
      expect(seen.unreachable).toBe('HOST_UNREACHABLE')
      await fillServerForm(page, {
        name: 'Missing db',
        driver: 'PostgreSQL',
        host: pg.host,
        port: pg.port,
        database: 'migr8_no_such_database',
        user: pg.user,
        passwordMode: 'none',
      })
      seen.missing = (await draftTest(page)).code
      expect(seen.missing).toBe('DATABASE_MISSING')
      await fillServerForm(page, {
        name: 'Unknown role',
        driver: 'PostgreSQL',
        host: pg.host,
        port: pg.port,
        database: pg.database,
        user: 'migr8_no_such_role',
        passwordMode: 'none',
      })
      seen.role = (await draftTest(page)).code
      expect(seen.role).toBe('AUTH_FAILED')
      // TLS: this server has no TLS, so sslmode=require must fail with a TLS error (or pass if TLS is on).
      await fillServerForm(page, {
        name: 'TLS',
        driver: 'PostgreSQL',
        host: pg.host,
        port: pg.port,
        database: pg.database,
        user: pg.user,
        passwordMode: 'none',
        ssl: 'require',
      })
      const tls = await draftTest(page)
      seen.tls = tls.code
      if (!tls.ok) expect(['TLS_REQUIRED', 'TLS_FAILED']).toContain(tls.code)
      await shot(page, '06-tls-failure')
    }
    console.info(`failure kinds seen: ${JSON.stringify(seen)}`)
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
  })

  it('edits a profile: production shows a red banner and deletion asks for the database name', async () => {
    const page = target.page()
    await select(page, 'Local SQLite')
    await page.getByTestId('edit-profile').click()
    const dialog = page.getByRole('dialog')
    await dialog.locator('input[name=name]').fill('Local SQLite (prod)')
    await dialog.getByRole('radio', { name: 'production' }).click()
    await dialog.locator('input[name=readOnly]').check()
    await dialog.getByTestId('form-save').click()
    await page.getByRole('heading', { name: 'Local SQLite (prod)' }).waitFor()
    await page.getByTestId('prod-banner').waitFor()
    await shot(page, '07-production-banner')
    await page.getByTestId('delete-profile').click()
    const confirm = page.getByTestId('confirm')
    expect(await confirm.isDisabled()).toBe(true)
    await page.getByTestId('confirm-input').fill('Local SQLite (prod)')
    expect(await confirm.isDisabled()).toBe(true)
    await page.getByTestId('confirm-input').fill('app.sqlite')
    await shot(page, '08-typed-confirmation')
    await confirm.click()
    await page
      .locator('[data-testid=profile-item][data-profile-name="Local SQLite (prod)"]')
      .waitFor({ state: 'detached' })
  })

  it('keeps profiles across a reload and never shows a password', async () => {
    const page = target.page()
    await target.reload()
    const names = await page
      .getByTestId('profile-item')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-profile-name')))
    expect(names).toContain('Demo (SQLite)')
    expect(names).not.toContain('Local SQLite (prod)')
    if (!(await serverUnavailable('postgres'))) {
      expect(names).toContain('Orders PG')
      await select(page, 'Orders PG')
      expect((await testSelected(page, PG_PASSWORD)).ok).toBe(true)
      await page.getByTestId('edit-profile').click()
      expect(await page.getByRole('dialog').locator('input[name=password]').inputValue()).toBe('')
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
    }
    if (!(await serverUnavailable('mysql'))) expect(names).toContain('Shop MariaDB')
    const html = await page.content()
    for (const secret of [PG_PASSWORD, MY_PASSWORD, ASK_PASSWORD]) {
      expect(html).not.toContain(secret)
      for (const body of target.responses?.() ?? []) expect(body).not.toContain(secret)
    }
    if (target.responses) expect(target.responses().length).toBeGreaterThan(10)
  })

  it('offers a command palette, a shortcut sheet and a job tray', async () => {
    const page = target.page()
    await page.keyboard.press('Control+k')
    await page.getByRole('dialog', { name: 'Command palette' }).waitFor()
    await page.keyboard.type('demo')
    await shot(page, '09-command-palette')
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Demo (SQLite)' }).waitFor()
    await page.keyboard.press('?')
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor()
    await shot(page, '10-shortcuts')
    await page.keyboard.press('Escape')
    await page.keyboard.press('2')
    // The demo profile's example migrations, read from the real engine (whatever the screen's layout).
    await page.getByRole('tab', { name: 'Migrations', selected: true }).waitFor()
    await page.getByRole('tabpanel').getByText('create_customers').first().waitFor()
    await shot(page, '11-migrations-tab')
    await page.keyboard.press('1')
    await page.keyboard.press('Control+k')
    await page.keyboard.type('test all')
    await page.keyboard.press('Enter')
    await page.getByTestId('job').first().waitFor()
    await expect
      .poll(() => page.getByTestId('job').first().getAttribute('class'), { timeout: 30_000 })
      .toMatch(/job-done/)
    await shot(page, '12-job-tray')
  })

  it('follows the OS dark theme', async () => {
    const page = target.page()
    await page.emulateMedia({ colorScheme: 'dark' })
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    expect(background).toBe('rgb(22, 24, 28)')
    if (!(await serverUnavailable('postgres'))) {
      await select(page, 'Orders PG')
      await testSelected(page, PG_PASSWORD)
    }
    await shot(page, '13-dark-overview')
    await page.getByTestId('edit-profile').click()
    await shot(page, '14-dark-edit-form')
    await page.keyboard.press('Escape')
    await page.emulateMedia({ colorScheme: 'light' })
  })
}
