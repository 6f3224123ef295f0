/**
 * The Migrations, Backups and Seeds screens end to end in browser mode (Chromium against the web
 * transport) on real PostgreSQL, MariaDB and SQLite: apply, roll back, drift after editing a file,
 * back up with progress, restore into a new database and read the data back, preview a tricky CSV,
 * see its bad row, import, and the production safety net before a `down` with undo by restoring.
 * Screenshots of each screen in light and dark go to e2e/artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ProfileInput } from '../../src-shared/contract.js'
import { openAdapter } from '../../src-main/db/index.js'
import { HistoryStore } from '../../src-main/migrate/history.js'
import { acquireMigrationLock, migrationLockKey } from '../../src-main/migrate/lock.js'
import type { ConnectionConfig, Driver } from '../../src-main/config/schema.js'
import { createDatabase, dropDatabase, serverUnavailable, uniqueName } from '../../test/support/databases.js'
import { createTables, golangMigrateFiles, golangMigrateTable } from '../../test/adopt/tools.js'
import {
  ARTIFACTS,
  browserUnavailable,
  ensureBuilt,
  launchChromium,
  startApp,
  type RunningApp,
} from '../support/app.js'

const unavailable = browserUnavailable()
const DIALECTS: Driver[] = ['postgres', 'mysql', 'sqlite']
const reasons = Object.fromEntries(await Promise.all(DIALECTS.map(async (d) => [d, await serverUnavailable(d)])))

const MIGRATIONS: Record<string, string> = {
  '000001_create_customers.up.sql':
    '-- customers of the shop\nCREATE TABLE customers (\n  id INTEGER PRIMARY KEY,\n  name VARCHAR(100) NOT NULL,\n  email VARCHAR(200),\n  score INTEGER\n);\n',
  '000001_create_customers.down.sql': 'DROP TABLE customers;\n',
  '000002_add_city.up.sql': 'ALTER TABLE customers ADD COLUMN city VARCHAR(100);\n',
  '000002_add_city.down.sql': 'ALTER TABLE customers DROP COLUMN city;\n',
  '000003_first_customer.up.sql':
    "INSERT INTO customers (id, name, email, score) VALUES (1, 'Ada Lovelace', 'ada@example.com', 99);\n",
  '000003_first_customer.down.sql': 'DELETE FROM customers WHERE id = 1;\n',
}

const GOOD_SEED =
  'id,name,email,score,city\n2,Grace Hopper,grace@example.com,95,Arlington\n3,Alan Turing,,90,\\N\n4,Edsger Dijkstra,ed@example.com,88,Austin\n'
/** Semicolons, a quoted field holding the delimiter and a line break, a NULL marker, and a bad score on line 6. */
const TRICKY_CSV = [
  'id;name;email;score;city',
  '10;"Lovelace; Ada";ada2@example.com;77;London',
  '11;"Multi',
  'line";\\N;12;Paris',
  '12;Plain;p@example.com;13;Rome',
  '13;Broken;b@example.com;12x;Oslo',
  '',
].join('\n')

describe.skipIf(!!unavailable)(`screens in browser mode${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let app: RunningApp
  let browser: { context: BrowserContext; close(): Promise<void> }
  let page: Page
  const cleanups: Array<() => Promise<void>> = []

  beforeAll(async () => {
    ensureBuilt()
    app = await startApp()
    browser = await launchChromium()
    page = await browser.context.newPage()
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`))
    await page.goto(app.server.url)
    await page.getByTestId('profile-item').first().waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await app?.close()
    for (const cleanup of cleanups) await cleanup().catch(() => undefined)
  })

  const shot = async (name: string, dark = false) => {
    await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' })
    await page.screenshot({ path: join(ARTIFACTS, `screens-${name}-${dark ? 'dark' : 'light'}.png`) })
    await page.emulateMedia({ colorScheme: 'light' })
  }

  /** Does `action`, then waits for the screen's job panel to follow a new job to its end. */
  const runJob = async (
    testId: string,
    action: () => Promise<void>,
    state: 'done' | 'failed' | 'cancelled' = 'done',
  ) => {
    const panel = page.getByTestId(testId)
    const before = (await panel.count()) ? await panel.getAttribute('data-job') : null
    await action()
    await expect
      .poll(
        async () =>
          (await panel.count()) &&
          (await panel.getAttribute('data-job')) !== before &&
          ['done', 'failed', 'cancelled'].includes((await panel.getAttribute('data-state')) ?? ''),
        { timeout: 60_000 },
      )
      .toBeTruthy()
    const actual = await panel.getAttribute('data-state')
    if (actual !== state) throw new Error(`${testId} ended ${actual}: ${await panel.innerText()}`)
  }

  const count = async (connection: ConnectionConfig, sql = 'SELECT COUNT(*) AS n FROM customers') => {
    const adapter = await openAdapter(connection)
    try {
      const rows = await adapter.query<{ n: number | string }>(sql)
      return Number(rows[0].n)
    } finally {
      await adapter.close()
    }
  }

  describe.each(DIALECTS)('%s', (dialect) => {
    const skip = reasons[dialect]
    const state: { connection?: ConnectionConfig; project?: string; profileId?: string } = {}

    const goto = async (tab: 'migrations' | 'backups' | 'seeds') => {
      await page.evaluate((hash) => (window.location.hash = hash), `#/p/${state.profileId}/${tab}`)
      await page.getByTestId(`${tab}-screen`).waitFor()
    }
    const saveProfile = async (environment: 'development' | 'production') => {
      const c = state.connection!
      const saved = await app.context.profiles.save(
        ProfileInput.parse({
          id: state.profileId,
          name: `Shop ${dialect}`,
          driver: dialect,
          ...(dialect === 'sqlite' ? {} : { host: c.host, port: c.port, user: c.user }),
          database: c.database,
          ssl: { mode: 'disable' },
          environment,
          folders: {
            migrations: join(state.project!, 'migrations'),
            seeds: join(state.project!, 'seeds'),
            backups: join(state.project!, 'backups'),
          },
          passwordMode: 'none',
        }),
      )
      state.profileId = saved.id
      await page.reload()
      await page.getByTestId('profile-item').first().waitFor()
    }
    const dbName = () => state.connection!.database.split('/').pop()!

    it.skipIf(!!skip)('migrations: apply, detail with SQL, roll back, drift after editing a file, repair', async () => {
      state.connection = await createDatabase(dialect, uniqueName('migr8_ui'))
      const connection = state.connection
      cleanups.push(() => dropDatabase(connection))
      state.project = mkdtempSync(join(tmpdir(), `migr8-ui-${dialect}-`))
      cleanups.push(async () => rmSync(state.project!, { recursive: true, force: true }))
      mkdirSync(join(state.project, 'migrations'))
      mkdirSync(join(state.project, 'seeds'))
      for (const [name, sql] of Object.entries(MIGRATIONS)) writeFileSync(join(state.project, 'migrations', name), sql)
      writeFileSync(join(state.project, 'seeds', 'customers.csv'), GOOD_SEED)
      await saveProfile('development')

      await goto('migrations')
      await expect.poll(() => page.getByTestId('mig-row').count()).toBe(3)
      expect(await page.getByTestId('mig-pending').innerText()).toBe('3')
      await page.getByTestId('mig-apply-all').click()
      await expect.poll(() => page.getByTestId('preview-sql').innerText()).toContain('CREATE TABLE customers')
      await runJob('mig-job', () => page.getByTestId('run-confirm').click())
      await expect.poll(() => page.getByTestId('mig-current').innerText()).toBe('000003')
      expect(await count(connection)).toBe(1)

      await page.locator('[data-testid="mig-row"][data-version="000001"]').click()
      await expect.poll(() => page.getByTestId('detail-sql').innerText()).toContain('CREATE TABLE customers')
      await expect.poll(() => page.getByTestId('detail-checksums').innerText()).toContain('match')
      await page.getByTestId('sql-down-tab').click()
      await expect.poll(() => page.getByTestId('detail-sql').innerText()).toContain('DROP TABLE customers')
      await shot(`${dialect}-migrations`)
      if (dialect === 'postgres') await shot(`${dialect}-migrations`, true)

      // Roll back to 000001 from the detail pane: the preview shows both down scripts first.
      await page.getByTestId('detail-rollback-to').click()
      await expect.poll(() => page.getByTestId('preview-sql').innerText()).toContain('DROP COLUMN city')
      if (dialect === 'postgres') await shot('postgres-migrations-preview')
      await runJob('mig-job', () => page.getByTestId('run-confirm').click())
      await expect.poll(() => page.getByTestId('mig-current').innerText()).toBe('000001')
      expect(await page.getByTestId('mig-pending').innerText()).toBe('2')

      // Edit an applied file: the timeline shows drift, the detail the checksum mismatch.
      writeFileSync(
        join(state.project, 'migrations', '000001_create_customers.up.sql'),
        MIGRATIONS['000001_create_customers.up.sql'].replace('-- customers of the shop', '-- customers (edited)'),
      )
      await page.getByTestId('mig-refresh').click()
      await page.locator('[data-testid="mig-row"][data-version="000001"][data-state="checksum_drift"]').waitFor()
      await page.locator('[data-testid="mig-row"][data-version="000001"]').click()
      await page.getByTestId('checksum-mismatch').waitFor()
      await page.getByTestId('mig-validate').click()
      await expect.poll(() => page.getByTestId('mig-validation').innerText()).toContain('problem')
      if (dialect === 'postgres') await shot('postgres-migrations-drift')
      await page.getByTestId('mig-repair-checksums').click()
      await page.locator('[data-testid="mig-row"][data-version="000001"][data-state="applied"]').waitFor()

      // Another process takes the migration lock: the screen says who and since when, and a run started
      // meanwhile waits for it, live, until cancelled.
      const other = await openAdapter(connection)
      const table = 'migr8_migrations'
      const lock = await acquireMigrationLock(
        other,
        new HistoryStore(other, table),
        { mode: 'session', timeoutMs: 5000, leaseMs: 30_000, key: migrationLockKey(other, table) },
        {},
      )
      try {
        await page.getByTestId('mig-refresh').click()
        await expect
          .poll(() => page.getByTestId('mig-lock').innerText())
          .toContain('another process holds the migration lock')
        await runJob(
          'mig-job',
          async () => {
            await page.getByTestId('mig-apply-all').click()
            await page.getByTestId('preview-sql').waitFor()
            await page.getByTestId('run-confirm').click()
            await page.locator('[data-testid="mig-job"][data-state="running"]').waitFor()
            if (dialect === 'postgres') await shot('postgres-migrations-locked')
            await page.getByTestId('job-cancel').click()
          },
          'cancelled',
        )
        expect(await page.getByTestId('mig-pending').innerText()).toBe('2')
      } finally {
        await lock.release()
        await other.close()
      }
      await page.getByTestId('mig-refresh').click()
      await expect.poll(() => page.getByTestId('mig-lock').innerText()).toBe('Lock free')

      // Apply the rest again for the next steps.
      await page.getByTestId('mig-apply-all').click()
      await page.getByTestId('preview-sql').waitFor()
      await runJob('mig-job', () => page.getByTestId('run-confirm').click())
      await expect.poll(() => page.getByTestId('mig-current').innerText()).toBe('000003')
    })

    it.skipIf(!!skip)('backups: back up with progress, verify, restore into a new database and read it', async () => {
      await goto('backups')
      await page.getByTestId('backup-label').fill('before seeding')
      await runJob('backup-job', () => page.getByTestId('backup-now').click())
      await expect.poll(() => page.getByTestId('backup-row').count()).toBe(1)
      expect(await page.getByTestId('backup-row').first().innerText()).toContain('000003')
      await runJob('backup-job', () => page.getByTestId('backup-verify').first().click())
      await expect.poll(() => page.getByTestId('backup-verified').first().innerText()).toContain('verified')

      const target = dialect === 'sqlite' ? join(state.project!, 'restored.sqlite') : `${state.connection!.database}_r`
      const restored: ConnectionConfig = { ...state.connection!, database: target }
      cleanups.push(() => (dialect === 'sqlite' ? Promise.resolve() : dropDatabase(restored)))
      await page.getByTestId('backup-restore').first().click()
      await page.getByTestId('restore-target').fill(target)
      await runJob('backup-job', () => page.getByTestId('restore-confirm').click())
      await expect.poll(() => page.getByTestId('restore-result').innerText()).toContain(target)
      expect(await count(restored)).toBe(1)

      await page.getByTestId('backup-reveal').first().click()
      await expect.poll(() => page.getByTestId('reveal-path').innerText()).toContain('backups')
      await shot(`${dialect}-backups`)
      if (dialect === 'postgres') await shot(`${dialect}-backups`, true)
    })

    it.skipIf(!!skip)('seeds: preview a tricky CSV, options re-run it, bad row reported, import', async () => {
      await goto('seeds')
      await expect.poll(() => page.getByTestId('seed-file').count()).toBe(1)
      const upload = join(mkdtempSync(join(tmpdir(), 'migr8-ui-upload-')), 'customers.csv')
      writeFileSync(upload, TRICKY_CSV)
      await page.getByTestId('seed-pick').setInputFiles(upload)
      await expect.poll(() => page.getByTestId('preview-delimiter').innerText()).toBe(';')
      await expect.poll(() => page.getByTestId('preview-column').count()).toBe(5)
      await expect.poll(() => page.getByTestId('bad-rows').innerText()).toContain('line 6')
      const rows = await page.getByTestId('preview-row').allInnerTexts()
      expect(rows.join('\n')).toContain('Lovelace; Ada')
      if (dialect === 'postgres') {
        await shot('postgres-seeds-preview')
        await shot('postgres-seeds-preview', true)
      }
      // A wrong delimiter re-runs the preview live: one column, mapping problems.
      await page.getByTestId('opt-delimiter').selectOption(',')
      await expect.poll(() => page.getByTestId('preview-column').count()).toBe(1)
      await page.getByTestId('mapping-problems').waitFor()
      await page.getByTestId('opt-delimiter').selectOption('')
      await expect.poll(() => page.getByTestId('preview-column').count()).toBe(5)

      // Importing it fails on the bad row, named with its line; nothing is written.
      await runJob('seed-job', () => page.getByTestId('seed-import').click())
      await expect.poll(() => page.getByTestId('seed-report-error').innerText()).toMatch(/line \d+/)
      // The file line, counting the quoted line break before it, on every dialect.
      expect(await page.getByTestId('seed-report-error').innerText()).toMatch(/line 6/)
      expect(await count(state.connection!)).toBe(1)
      if (dialect === 'postgres') await shot('postgres-seeds-bad-row')

      // The folder's clean file imports.
      await page.getByTestId('seed-file').first().click()
      await expect.poll(() => page.getByTestId('preview-row').count()).toBe(3)
      await runJob('seed-job', () => page.getByTestId('seed-import').click())
      await expect.poll(() => page.getByTestId('seed-rows').first().innerText()).toContain('3 rows')
      expect(await count(state.connection!)).toBe(4)
      await shot(`${dialect}-seeds`)
    })

    it.skipIf(!!skip || dialect !== 'postgres')(
      '"ask every time" profiles: the screens ask once, then work',
      async () => {
        const c = state.connection!
        const saved = await app.context.profiles.save(
          ProfileInput.parse({
            name: `Ask ${dialect}`,
            driver: dialect,
            host: c.host,
            port: c.port,
            user: c.user,
            database: c.database,
            ssl: { mode: 'disable' },
            passwordMode: 'ask',
            folders: { migrations: join(state.project!, 'migrations') },
          }),
        )
        cleanups.push(async () => void (await app.context.profiles.delete(saved.id)))
        await page.reload()
        await page.evaluate((hash) => (window.location.hash = hash), `#/p/${saved.id}/migrations`)
        await page.getByTestId('ask-password-card').waitFor()
        // The PostgreSQL test server trusts local connections, so any password works; it travels with each call.
        await page.getByTestId('ask-password').fill('typed-once')
        await page.getByTestId('ask-password').press('Enter')
        await expect.poll(() => page.getByTestId('mig-current').innerText()).toBe('000003')
      },
    )

    it.skipIf(!!skip || dialect !== 'sqlite')(
      'adopt: a golang-migrate database shows the banner, the preview, and the adopted history',
      async () => {
        const project = mkdtempSync(join(tmpdir(), 'migr8-ui-adopt-'))
        cleanups.push(async () => rmSync(project, { recursive: true, force: true }))
        mkdirSync(join(project, 'migrations'))
        for (const [name, sql] of Object.entries(golangMigrateFiles('gm')))
          writeFileSync(join(project, 'migrations', name), sql)
        const database = join(project, 'legacy.sqlite')
        // golang-migrate applied 001 and stopped in 002 (dirty); 003 was never run.
        const adapter = await openAdapter({ ...state.connection!, database })
        try {
          await createTables(adapter, 'gm', [1])
          await golangMigrateTable(adapter, 2, true)
        } finally {
          await adapter.close()
        }
        const saved = await app.context.profiles.save(
          ProfileInput.parse({
            name: 'Legacy sqlite',
            driver: 'sqlite',
            database,
            ssl: { mode: 'disable' },
            passwordMode: 'none',
            folders: { migrations: join(project, 'migrations') },
          }),
        )
        cleanups.push(async () => void (await app.context.profiles.delete(saved.id)))
        await page.reload()
        await page.evaluate((hash) => (window.location.hash = hash), `#/p/${saved.id}/migrations`)
        await expect.poll(() => page.getByTestId('adopt-banner').innerText()).toContain('golang-migrate')
        expect(await page.getByTestId('adopt-banner').innerText()).toContain('1 row')
        expect(await page.getByTestId('mig-current').innerText()).toBe('none')
        await shot('sqlite-adopt-banner')

        await page.getByTestId('adopt-open').click()
        await expect.poll(() => page.getByTestId('adopt-entry').count()).toBe(3)
        await page.locator('[data-testid="adopt-entry"][data-version="002"][data-state="stopped"]').waitFor()
        expect(await page.getByTestId('adopt-stopped').innerText()).toContain('dirty in golang-migrate')
        expect(await page.getByTestId('adopt-to-import').innerText()).toBe('2')
        await shot('sqlite-adopt-preview')

        await runJob('mig-job', () => page.getByTestId('adopt-confirm').click())
        await page.locator('[data-testid="mig-row"][data-version="001"][data-state="applied"]').waitFor()
        await page.locator('[data-testid="mig-row"][data-version="002"][data-state="partial"]').waitFor()
        await page.locator('[data-testid="mig-row"][data-version="003"][data-state="pending"]').waitFor()
        // Migr8 has history now: the banner gives way to a small button.
        await page.getByTestId('adopt-line').waitFor()
        expect(await page.getByTestId('adopt-banner').count()).toBe(0)
        await shot('sqlite-adopted')
      },
    )

    it.skipIf(!!skip)('safety net: a production down takes a labelled backup first, undo restores it', async () => {
      await saveProfile('production')
      await goto('migrations')
      await page.getByTestId('mig-down').click()
      await page.getByTestId('preview-sql').waitFor()
      await page.getByTestId('confirm-input').fill(dbName())
      await runJob('mig-job', () => page.getByTestId('run-confirm').click())
      await expect.poll(() => page.getByTestId('mig-current').innerText()).toBe('000002')
      await page.getByTestId('safety-note').waitFor()
      expect(await count(state.connection!)).toBe(3)
      if (dialect === 'postgres') await shot('postgres-safety-net')

      await page.getByTestId('undo-restore').click()
      await page.getByTestId('confirm-input').fill(dbName())
      await runJob('mig-job', () => page.getByTestId('confirm').click())
      await expect.poll(() => page.getByTestId('mig-current').innerText(), { timeout: 20_000 }).toBe('000003')
      expect(await count(state.connection!)).toBe(4)

      await goto('backups')
      await expect
        .poll(async () => (await page.getByTestId('backup-row').allInnerTexts()).join('\n'))
        .toContain('auto: before migrate down')
      if (dialect === 'postgres') await shot('postgres-backups-safety')
    })
  })
})
