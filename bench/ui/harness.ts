/* Bundled and run by bench/ui/index.mjs; see there. */
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { ProfileInput } from '../../src-shared/contract.js'
import { migrationsSchema } from '../../src-main/config/schema.js'
import { openAdapter } from '../../src-main/db/index.js'
import { Migrator } from '../../src-main/migrate/index.js'
import { CHROMIUM, ensureBuilt, launchChromium, startApp } from '../../e2e/support/app.js'

const MIGRATIONS = Number(process.env.BENCH_UI_MIGRATIONS ?? 10_000)
const APPLIED = Math.floor(MIGRATIONS * 0.9)
const CSV_MB = Number(process.env.BENCH_UI_CSV_MB ?? 1024)
const DATA = join(process.cwd(), 'bench', '.data', 'ui')

function stats(frames: number[]) {
  const sorted = [...frames].sort((a, b) => a - b)
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
  return {
    frames: frames.length,
    median: q(0.5),
    p95: q(0.95),
    max: sorted[sorted.length - 1],
    over17: frames.filter((f) => f > 17.5).length,
    over34: frames.filter((f) => f > 34).length,
  }
}

const fmt = (n: number) => `${n.toFixed(1)} ms`

/** Scrolls `selector` by `step` px every animation frame for `count` frames; returns the frame intervals. */
async function scrollFrames(page: Page, selector: string, step: number, count: number): Promise<number[]> {
  return page.evaluate(
    ({ selector, step, count }) =>
      new Promise<number[]>((resolve) => {
        const element = document.querySelector(selector) as HTMLElement
        const frames: number[] = []
        let last = 0
        let n = 0
        const tick = (now: number) => {
          if (last) frames.push(now - last)
          last = now
          element.scrollTop += step
          if (element.scrollTop + element.clientHeight >= element.scrollHeight - 1) element.scrollTop = 0
          if (++n <= count) requestAnimationFrame(tick)
          else resolve(frames)
        }
        requestAnimationFrame(tick)
      }),
    { selector, step, count },
  )
}

/** Changes the hash (or clicks) and measures until `selector` is in the DOM, in the page's clock. */
async function timeUntil(page: Page, action: string, selector: string): Promise<number> {
  return page.evaluate(
    ({ action, selector }) =>
      new Promise<number>((resolve) => {
        const start = performance.now()
        if (action.startsWith('#')) window.location.hash = action
        else (document.querySelector(action) as HTMLElement).click()
        const check = () => {
          if (document.querySelector(selector)) {
            // The frame that shows it: wait for the next paint opportunity.
            requestAnimationFrame(() => resolve(performance.now() - start))
          } else requestAnimationFrame(check)
        }
        check()
      }),
    { action, selector },
  )
}

async function prepareMigrations(project: string, database: string) {
  // 10,000 migrations: the first creates the seed target table, the rest small tables and indexes.
  const started = performance.now()
  writeFileSync(
    join(project, 'migrations', '000001_create_events.up.sql'),
    'CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT, amount NUMERIC, note TEXT);\n',
  )
  writeFileSync(join(project, 'migrations', '000001_create_events.down.sql'), 'DROP TABLE events;\n')
  for (let i = 2; i <= MIGRATIONS; i++) {
    const v = String(i).padStart(6, '0')
    writeFileSync(
      join(project, 'migrations', `${v}_table_${i}.up.sql`),
      `CREATE TABLE t_${i} (id INTEGER PRIMARY KEY, v TEXT);\n`,
    )
    writeFileSync(join(project, 'migrations', `${v}_table_${i}.down.sql`), `DROP TABLE t_${i};\n`)
  }
  const adapter = await openAdapter({
    driver: 'sqlite',
    host: '',
    port: 0,
    database,
    user: '',
    ssl: { mode: 'disable' },
    connectTimeoutMs: 5000,
    poolMax: 1,
  })
  await new Migrator(adapter, { ...migrationsSchema.parse({}), dir: join(project, 'migrations') }).up({
    to: String(APPLIED).padStart(6, '0'),
  })
  await adapter.close()
  console.log(
    `setup: ${MIGRATIONS} migrations written, ${APPLIED} applied in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
}

async function main() {
  if (!existsSync(CHROMIUM)) {
    console.log(`SKIPPED: Chromium not found at ${CHROMIUM}`)
    return
  }
  ensureBuilt()
  // The migrations folder and its applied database are kept in bench/.data/ui between runs (applying
  // 9,000 migrations takes minutes); BENCH_UI_FRESH=1 rebuilds them.
  mkdirSync(DATA, { recursive: true })
  const project = join(DATA, `project-${MIGRATIONS}`)
  const database = join(project, 'bench.sqlite')
  const ready = join(project, '.ready')
  if (process.env.BENCH_UI_FRESH === '1' || !existsSync(ready)) {
    rmSync(project, { recursive: true, force: true })
    mkdirSync(join(project, 'migrations'), { recursive: true })
    await prepareMigrations(project, database)
    writeFileSync(ready, new Date().toISOString())
  }
  rmSync(join(project, 'seeds'), { recursive: true, force: true })
  mkdirSync(join(project, 'seeds'))

  // The CSV: reused between runs when its size matches.
  const csv = join(DATA, `events_${CSV_MB}mb.csv`)
  const wanted = CSV_MB * 1024 * 1024
  if (!existsSync(csv) || statSync(csv).size < wanted) {
    const started = performance.now()
    const stream = createWriteStream(csv)
    stream.write('id,at,kind,amount,note\n')
    let written = 0
    let id = 1
    while (written < wanted) {
      const lines: string[] = []
      for (let i = 0; i < 20_000; i++, id++)
        lines.push(
          `${id},2026-01-${String((id % 28) + 1).padStart(2, '0')}T10:00:00Z,kind_${id % 17},${(id % 1000) / 10},"note, number ${id}"`,
        )
      const chunk = lines.join('\n') + '\n'
      written += Buffer.byteLength(chunk)
      if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()))
    }
    await new Promise((resolve) => stream.end(resolve))
    console.log(
      `setup: ${csv} (${(written / 1048576).toFixed(0)} MiB) written in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    )
  }
  const seedFile = join(project, 'seeds', 'events.csv')
  const { symlinkSync } = await import('node:fs')
  symlinkSync(csv, seedFile)

  const app = await startApp()
  const browser = await launchChromium()
  try {
    const saved = await app.context.profiles.save(
      ProfileInput.parse({
        name: 'Bench',
        driver: 'sqlite',
        database,
        ssl: { mode: 'disable' },
        environment: 'development',
        folders: { migrations: join(project, 'migrations'), seeds: join(project, 'seeds') },
        passwordMode: 'none',
      }),
    )
    const page = await browser.context.newPage()
    await page.goto(app.server.url)
    await page.getByTestId('profile-item').first().waitFor()

    const results: string[] = []
    for (let round = 1; round <= 2; round++) {
      await page.evaluate(() => (window.location.hash = '#/'))
      await page.waitForTimeout(200)
      await page.evaluate(() => performance.clearResourceTimings())
      const firstRow = await timeUntil(page, `#/p/${saved.id}/migrations`, '[data-testid="mig-row"]')
      const call = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((entry) => entry.name.includes('/api/'))
          .map((entry) => entry.duration)
          .reduce((a, b) => Math.max(a, b), 0),
      )
      results.push(
        `timeline ${round === 1 ? 'cold (status call + render)' : 'again (cached status, re-render; refetch in background)'}: first row ${fmt(firstRow)}${call ? ` (status call ${fmt(call)})` : ''}`,
      )
    }
    const rows = await page.getByTestId('mig-row').count()
    const total = await page.getByTestId('migrations-summary').innerText()
    const timeline = stats(await scrollFrames(page, '[data-testid="mig-timeline"]', 90, 300))
    const fast = stats(await scrollFrames(page, '[data-testid="mig-timeline"]', 1200, 300))
    results.push(`timeline: ${rows} rows in the DOM for ${total.split('\n').join(' ')}`)
    results.push(
      `timeline scroll 90 px/frame: median ${fmt(timeline.median)}, p95 ${fmt(timeline.p95)}, max ${fmt(timeline.max)}, >17.5 ms ${timeline.over17}/${timeline.frames}, >34 ms ${timeline.over34}`,
    )
    results.push(
      `timeline scroll 1200 px/frame: median ${fmt(fast.median)}, p95 ${fmt(fast.p95)}, max ${fmt(fast.max)}, >17.5 ms ${fast.over17}/${fast.frames}, >34 ms ${fast.over34}`,
    )

    await timeUntil(page, `#/p/${saved.id}/seeds`, '[data-testid="seed-file"]')
    await page.evaluate(() => performance.clearResourceTimings())
    const preview = await timeUntil(page, '[data-testid="seed-file"]', '[data-testid="preview-row"]')
    const previewCall = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((entry) => entry.name.includes('/api/'))
        .map((entry) => entry.duration)
        .reduce((a, b) => Math.max(a, b), 0),
    )
    const summary = await page.locator('.preview-body .summary-strip').innerText()
    const grid = stats(await scrollFrames(page, '.grid-scroll', 60, 300))
    results.push(
      `seed preview of ${(statSync(csv).size / 1048576).toFixed(0)} MiB CSV: first row ${fmt(preview)} (API call ${fmt(previewCall)}) — ${summary.split('\n').join(' ')}`,
    )
    results.push(
      `preview grid scroll 60 px/frame: median ${fmt(grid.median)}, p95 ${fmt(grid.p95)}, max ${fmt(grid.max)}, >17.5 ms ${grid.over17}/${grid.frames}, >34 ms ${grid.over34}`,
    )
    console.log(results.join('\n'))
  } finally {
    await browser.close()
    await app.close()
  }
}

await main()
