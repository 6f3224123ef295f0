// `npm run bench:migrate`: Migr8 against the tools a TypeScript user would pick instead.
//
//  1. apply: N (default 1,000) small generated migrations from a clean database, on PostgreSQL,
//     MariaDB/MySQL and SQLite, with `migr8 migrate up`, postgrator and node-pg-migrate (PostgreSQL
//     only), plus a "floor" (the same SQL through the bare driver, no bookkeeping at all);
//  2. status: `migr8 migrate status` with 10,000 applied migrations and 10,000 files;
//  3. cold start: `migr8 version` and `migr8 migrate status` on an up-to-date SQLite database.
//
// Every tool runs as its own process from spawn to exit (node start-up, modules, driver, connect
// included), in the same run and interleaved, repeated BENCH_REPEAT times (default 3); figures are
// medians. The machine may be shared: read the ratios, not the absolute times.
//
// Env: BENCH_MIGRATIONS (1000), BENCH_STATUS_MIGRATIONS (10000), BENCH_REPEAT (3),
//      BENCH_BASELINE_CLI (an older build's migr8.js, measured beside the current one as "migr8 (baseline)"),
//      BENCH_DIALECTS (postgres,mysql,sqlite), BENCH_ONLY (apply,status,startup), BENCH_PROFILE=1
//      (write .cpuprofile files of the status command to bench/.data/migrate/profiles and summarise them),
//      BENCH_KEEP=1 (keep this run's scratch folder bench/.data/migrate/run-PID).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { summarise } from './profile.mjs'
import {
  CLI,
  BASELINE_CLI,
  buildCli,
  DATA,
  RUN,
  fmt,
  freshDatabase,
  generateMigrations,
  median,
  migr8,
  migr8Workdir,
  timed,
  tool,
} from './lib.mjs'

const N = Number(process.env.BENCH_MIGRATIONS ?? 1000)
const STATUS_N = Number(process.env.BENCH_STATUS_MIGRATIONS ?? 10000)
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3)
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'postgres,mysql,sqlite').split(',')
const ONLY = (process.env.BENCH_ONLY ?? 'apply,status,startup').split(',')
const PROFILE = process.env.BENCH_PROFILE === '1'

const log = (line = '') => process.stdout.write(`${line}\n`)
const table = (header, rows) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

async function reachable(dialect) {
  if (dialect === 'sqlite') return true
  try {
    const db = await freshDatabase(dialect)
    await db.drop()
    return true
  } catch (error) {
    log(`SKIPPED ${dialect}: ${error.message.split('\n')[0]}`)
    return false
  }
}

/** One tool on one fresh database: the full run, then the same command again on the up-to-date database. */
async function applyOnce(name, dialect, dirs, rep) {
  const db = await freshDatabase(dialect)
  try {
    let full, again
    if (name.startsWith('migr8')) {
      const cli = name === 'migr8 (baseline)' ? BASELINE_CLI : CLI
      const work = migr8Workdir(`apply-${dialect}-${rep}`, dirs.migr8)
      full = await migr8(work, db.url, ['--json', 'migrate', 'up'], cli)
      const steps = JSON.parse(full.stdout).steps.length
      if (steps !== N) throw new Error(`migr8 applied ${steps} migrations, expected ${N}`)
      again = await migr8(work, db.url, ['--json', 'migrate', 'up'], cli)
    } else {
      const dir = name === 'postgrator' ? dirs.postgrator : name === 'node-pg-migrate' ? dirs.npm : dirs.migr8
      full = await tool(name, dialect, db.database, dir)
      if (Number(full.stdout) !== N) throw new Error(`${name} applied ${full.stdout.trim()} migrations, expected ${N}`)
      again = name === 'floor' ? { ms: NaN } : await tool(name, dialect, db.database, dir)
    }
    return { full: full.ms, again: again.ms }
  } finally {
    await db.drop()
  }
}

async function benchApply(dialects) {
  log(`\n## 1. apply ${N} migrations from a clean database (median of ${REPEAT})\n`)
  const dirs = generateMigrations(join(RUN, 'apply'), N)
  const results = []
  for (const dialect of dialects) {
    const tools = [
      'migr8',
      ...(BASELINE_CLI ? ['migr8 (baseline)'] : []),
      'postgrator',
      ...(dialect === 'postgres' ? ['node-pg-migrate'] : []),
      'floor',
    ]
    const runs = Object.fromEntries(tools.map((t) => [t, []]))
    for (let rep = 0; rep < REPEAT; rep++) {
      // Rotate the order each repetition so no tool always runs first (cold caches) or last.
      const order = tools.map((_, i) => tools[(i + rep) % tools.length])
      for (const name of order) {
        const r = await applyOnce(name, dialect, dirs, rep)
        runs[name].push(r)
        process.stderr.write(`  ${dialect} ${name} #${rep + 1}: ${fmt(r.full)} ms (re-run ${fmt(r.again)} ms)\n`)
      }
    }
    const m = Object.fromEntries(
      tools.map((t) => [t, { full: median(runs[t].map((r) => r.full)), again: median(runs[t].map((r) => r.again)) }]),
    )
    // Per-migration overhead: what a tool adds per migration over the bare driver running the same SQL.
    const floorPer = m.floor.full / N
    for (const t of tools) {
      results.push({
        dialect,
        tool: t,
        full: m[t].full,
        perMigration: m[t].full / N,
        // The same without the fixed cost (start-up, reading the files, connecting): the up-to-date re-run pays only that.
        perMigrationNet: Number.isNaN(m[t].again) ? NaN : (m[t].full - m[t].again) / N,
        overhead: m[t].full / N - floorPer,
        again: m[t].again,
        ratio: t === 'migr8' || t === 'floor' ? '' : (m.migr8.full / m[t].full).toFixed(2),
      })
    }
  }
  log(
    table(
      [
        'database',
        'tool',
        'wall ms',
        'ms / migration',
        'ms / migration without fixed cost',
        'overhead ms / migration (vs floor)',
        'up-to-date re-run ms',
        'migr8 / tool',
      ],
      results.map((r) => [
        r.dialect,
        r.tool,
        fmt(r.full),
        r.perMigration.toFixed(2),
        Number.isNaN(r.perMigrationNet) ? '—' : r.perMigrationNet.toFixed(2),
        r.tool === 'floor' ? '—' : r.overhead.toFixed(2),
        Number.isNaN(r.again) ? '—' : fmt(r.again),
        r.ratio,
      ]),
    ),
  )
  log('\nmigr8 / tool < 1 means Migr8 is faster (0.50 = twice as fast). "floor" is the same SQL through the bare')
  log('driver with no history, lock or checksum: the cost of the database itself.')
  return results
}

/** Writes STATUS_N dbmate-style files (one file per migration, up and down sections). */
function generateStatusMigrations(dir) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, '00001_create_log.sql'),
    '-- migrate:up\nCREATE TABLE bench_log (v integer PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE bench_log;\n',
  )
  for (let i = 2; i <= STATUS_N; i++) {
    const v = String(i).padStart(5, '0')
    writeFileSync(
      join(dir, `${v}_log_${i}.sql`),
      `-- migrate:up\nINSERT INTO bench_log (v) VALUES (${i});\n\n-- migrate:down\nDELETE FROM bench_log WHERE v = ${i};\n`,
    )
  }
}

async function profileCommand(work, url, args, label, cli = CLI) {
  const dir = join(DATA, 'profiles')
  mkdirSync(dir, { recursive: true })
  const name = `${label}.cpuprofile`
  rmSync(join(dir, name), { force: true })
  await timed(
    process.execPath,
    ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`, cli, '--url', url, ...args],
    {
      cwd: work,
    },
  )
  const summary = summarise(join(dir, name), 10, dirname(cli))
  log(`\nprofile of \`migr8 ${args.join(' ')}\` (${label}), self time by place, ${fmt(summary.totalMs)} ms profiled:`)
  for (const [group, ms] of summary.groups) log(`  ${fmt(ms).padStart(6)} ms  ${group}`)
  log('  hottest functions in migr8 and its packages:')
  for (const [fn, ms] of summary.functions) log(`  ${fmt(ms).padStart(6)} ms  ${fn}`)
}

async function benchStatus(dialects) {
  log(
    `\n## 2. \`migr8 migrate status\` with ${STATUS_N} applied migrations and ${STATUS_N} files (median of ${Math.max(REPEAT, 5)})\n`,
  )
  const dir = join(RUN, 'status-migrations')
  generateStatusMigrations(dir)
  const rows = []
  for (const dialect of dialects) {
    const db = await freshDatabase(dialect)
    try {
      const work = migr8Workdir(`status-${dialect}`, dir)
      const applied = await migr8(work, db.url, ['--json', 'migrate', 'up'])
      process.stderr.write(`  ${dialect}: applied ${STATUS_N} in ${fmt(applied.ms)} ms\n`)
      const node = [],
        version = [],
        human = [],
        json = [],
        baseline = []
      for (let rep = 0; rep < Math.max(REPEAT, 5); rep++) {
        node.push((await timed(process.execPath, ['-e', '0'])).ms)
        version.push((await migr8(work, db.url, ['version'])).ms)
        human.push((await migr8(work, db.url, ['migrate', 'status'])).ms)
        json.push((await migr8(work, db.url, ['--json', 'migrate', 'status'])).ms)
        if (BASELINE_CLI) baseline.push((await migr8(work, db.url, ['migrate', 'status'], BASELINE_CLI)).ms)
      }
      rows.push([
        dialect,
        fmt(median(human)),
        fmt(median(json)),
        ...(BASELINE_CLI ? [fmt(median(baseline))] : []),
        fmt(median(version)),
        fmt(median(node)),
        fmt(applied.ms),
      ])
      if (PROFILE && BASELINE_CLI)
        await profileCommand(
          work,
          db.url,
          ['migrate', 'status'],
          `status-${STATUS_N}-${dialect}-baseline`,
          BASELINE_CLI,
        )
      if (PROFILE) await profileCommand(work, db.url, ['migrate', 'status'], `status-${STATUS_N}-${dialect}`)
    } finally {
      await db.drop()
    }
  }
  log(
    table(
      [
        'database',
        'status ms',
        'status --json ms',
        ...(BASELINE_CLI ? ['status ms (baseline build)'] : []),
        'migr8 version ms',
        'node -e 0 ms',
        `migrate up of all ${STATUS_N} ms (once)`,
      ],
      rows,
    ),
  )
  log('\ngoal: status < 300 ms end to end.')
}

async function benchStartup() {
  const reps = Math.max(REPEAT * 3, 10)
  log(`\n## 3. CLI cold start (SQLite, up to date, 20 migrations; median of ${reps})\n`)
  const dirs = generateMigrations(join(RUN, 'startup'), 20)
  const db = await freshDatabase('sqlite')
  const work = migr8Workdir('startup', dirs.migr8)
  await migr8(work, db.url, ['migrate', 'up'])
  const series = {
    'node -e 0': [],
    'migr8 version': [],
    'migr8 migrate status': [],
    'migr8 migrate up (nothing to do)': [],
    ...(BASELINE_CLI ? { 'baseline build: migr8 version': [], 'baseline build: migr8 migrate status': [] } : {}),
  }
  for (let rep = 0; rep < reps; rep++) {
    series['node -e 0'].push((await timed(process.execPath, ['-e', '0'])).ms)
    series['migr8 version'].push((await migr8(work, db.url, ['version'])).ms)
    series['migr8 migrate status'].push((await migr8(work, db.url, ['migrate', 'status'])).ms)
    series['migr8 migrate up (nothing to do)'].push((await migr8(work, db.url, ['migrate', 'up'])).ms)
    if (BASELINE_CLI) {
      series['baseline build: migr8 version'].push((await migr8(work, db.url, ['version'], BASELINE_CLI)).ms)
      series['baseline build: migr8 migrate status'].push(
        (await migr8(work, db.url, ['migrate', 'status'], BASELINE_CLI)).ms,
      )
    }
  }
  const base = median(series['node -e 0'])
  log(
    table(
      ['command', 'median ms', 'above bare node ms'],
      Object.entries(series).map(([k, v]) => [k, fmt(median(v)), k === 'node -e 0' ? '—' : fmt(median(v) - base)]),
    ),
  )
  log('\ngoal: < 150 ms for `migr8 version` and `migr8 migrate status`.')
  if (PROFILE) {
    await profileCommand(work, db.url, ['version'], 'startup-version')
    await profileCommand(work, db.url, ['migrate', 'status'], 'startup-status')
  }
  await db.drop()
}

log(`# Migr8 migration benchmark — ${new Date().toISOString()}`)
log(
  `node ${process.version}, ${cpus().length} CPU(s) (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
mkdirSync(DATA, { recursive: true })
log(`CLI under test: ${buildCli()}${BASELINE_CLI ? `, baseline: ${BASELINE_CLI}` : ''}`)
const dialects = []
for (const dialect of DIALECTS) if (await reachable(dialect)) dialects.push(dialect)
if (ONLY.includes('apply')) await benchApply(dialects)
if (ONLY.includes('status')) await benchStatus(dialects)
if (ONLY.includes('startup')) await benchStartup()
if (!process.env.BENCH_KEEP) rmSync(RUN, { recursive: true, force: true })
log(
  `\nload average at the end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
)
