// `node bench/seed/index.mjs`: Migr8's seed import against the standard tools, in one run.
//
// A generated CSV (BENCH_SEED_ROWS rows, default 100,000; 1,000,000 gives ~100 MB) with mixed types
// (bigint, text with quotes and commas, numeric, boolean as 0/1, date, timestamp, uuid, text) is loaded
// into the same table on each dialect by:
//   - the standard tool: `psql -c "\copy … FROM … (FORMAT csv, HEADER)"`, `mariadb --local-infile -e
//     "LOAD DATA LOCAL INFILE …"`, `sqlite3 db ".import --csv --skip 1 …"`;
//   - `migr8 seed run --truncate` (the fast path: bytes straight into COPY / LOAD DATA, prepared INSERTs
//     on SQLite);
//   - `migr8 seed run --truncate --validate` (every value parsed, checked and converted in Node).
// Every figure is a process from spawn to exit, the table emptied before each run, runs interleaved,
// medians of BENCH_REPEAT (default 3). Peak RSS of the migr8 process is its VmHWM.
// Then the preview of the first 100 rows, in-process (engine bundle), of that file; with BENCH_SEED_GB=1
// also a ~1 GB file: preview time and the peak RSS of `migr8 seed run --validate` on PostgreSQL.
//
// Env: BENCH_SEED_ROWS, BENCH_REPEAT, BENCH_DIALECTS (postgres,mysql,sqlite), BENCH_SEED_GB=1 (also a ~1 GB file into
// each dialect: preview time and peak RSS), BENCH_SEED_INLINE=1 (also parse on the main thread), BENCH_KEEP=1.
/* global performance, setInterval, clearInterval */
import { execFileSync, spawn } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { fileURLToPath, pathToFileURL } from 'node:url'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const DATA = join(REPO, 'bench', '.data', 'seed')
const ROWS = Number(process.env.BENCH_SEED_ROWS ?? 100_000)
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3)
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'postgres,mysql,sqlite').split(',')
const GB = process.env.BENCH_SEED_GB === '1'
const INLINE = process.env.BENCH_SEED_INLINE === '1'
const PG = {
  host: process.env.MIGR8_TEST_PG_HOST ?? '127.0.0.1',
  port: process.env.MIGR8_TEST_PG_PORT ?? '5432',
  user: process.env.MIGR8_TEST_PG_USER ?? 'postgres',
}
const MY = {
  host: process.env.MIGR8_TEST_MYSQL_HOST ?? '127.0.0.1',
  port: process.env.MIGR8_TEST_MYSQL_PORT ?? '3306',
  user: process.env.MIGR8_TEST_MYSQL_USER ?? 'root',
}
const DB = 'migr8_bench_seed'

const log = (line = '') => process.stdout.write(`${line}\n`)
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const mib = (bytes) => `${(bytes / 1048576).toFixed(0)} MiB`
const fmt = (n) => Math.round(n).toLocaleString('en-US')
const table = (header, rows) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

function run(command, args, { env = process.env, cwd = REPO, trackRss = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let peak = 0
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const poll = trackRss
      ? setInterval(() => {
          try {
            const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
            if (match) peak = Math.max(peak, Number(match[1]) * 1024)
          } catch {
            // exited
          }
        }, 20)
      : undefined
    child.on('error', reject)
    child.on('close', (code) => {
      clearInterval(poll)
      const ms = performance.now() - started
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}\n${stderr}${stdout}`))
      else resolve({ ms, peak, stdout, stderr })
    })
  })
}

/** Deterministic mixed-type rows, ~100 bytes each, written in 4 MB chunks. */
async function generateCsv(path, rows) {
  if (existsSync(path) && existsSync(`${path}.rows`) && readFileSync(`${path}.rows`, 'utf8') === String(rows)) return
  const out = createWriteStream(path)
  let seed = 42
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff
  const hex = (n) =>
    Math.floor(rand() * 16 ** n)
      .toString(16)
      .padStart(n, '0')
  out.write('id,name,email,amount,flag,born,created_at,uid,note\n')
  let chunk = ''
  for (let id = 1; id <= rows; id++) {
    const year = 1950 + Math.floor(rand() * 60)
    const month = String(1 + Math.floor(rand() * 12)).padStart(2, '0')
    const day = String(1 + Math.floor(rand() * 28)).padStart(2, '0')
    const name = id % 10 === 0 ? `"Doe, Jane ""J"" ${id}"` : `user ${id}`
    const note = id % 7 === 0 ? '' : `note ${hex(6)}`
    chunk += `${id},${name},user${id}@example.com,${(rand() * 10000).toFixed(2)},${id & 1},${year}-${month}-${day},2024-${month}-${day} ${String(Math.floor(rand() * 24)).padStart(2, '0')}:${String(Math.floor(rand() * 60)).padStart(2, '0')}:00,${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(6)}${hex(6)},${note}\n`
    if (chunk.length > 4 << 20) {
      if (!out.write(chunk)) await once(out, 'drain')
      chunk = ''
    }
  }
  out.write(chunk)
  out.end()
  await once(out, 'finish')
  writeFileSync(`${path}.rows`, String(rows))
}

const DDL = {
  postgres:
    'CREATE TABLE bench_seed (id bigint PRIMARY KEY, name text, email text, amount numeric(12,2), flag boolean, born date, created_at timestamp, uid uuid, note text)',
  mysql:
    'CREATE TABLE bench_seed (id bigint PRIMARY KEY, name text, email text, amount decimal(12,2), flag boolean, born date, created_at datetime, uid char(36), note text) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  sqlite:
    'CREATE TABLE bench_seed (id integer PRIMARY KEY, name text, email text, amount numeric(12,2), flag boolean, born date, created_at timestamp, uid text, note text)',
}

const psql = (sql, db = DB) =>
  execFileSync('psql', ['-h', PG.host, '-p', PG.port, '-U', PG.user, '-d', db, '-v', 'ON_ERROR_STOP=1', '-qc', sql], {
    stdio: 'pipe',
  })
const mariadb = (sql, db) =>
  execFileSync('mariadb', ['-h', MY.host, '-P', MY.port, '-u', MY.user, ...(db ? [db] : []), '-e', sql], {
    stdio: 'pipe',
  })

function prepare(dialect, work) {
  if (dialect === 'postgres') {
    psql(`DROP DATABASE IF EXISTS ${DB}`, 'postgres')
    psql(`CREATE DATABASE ${DB}`, 'postgres')
    psql(DDL.postgres)
    return {
      url: `postgres://${PG.user}@${PG.host}:${PG.port}/${DB}?sslmode=disable`,
      empty: () => psql('TRUNCATE bench_seed'),
      count: () =>
        Number(
          execFileSync('psql', [
            '-h',
            PG.host,
            '-p',
            PG.port,
            '-U',
            PG.user,
            '-d',
            DB,
            '-tAc',
            'SELECT count(*) FROM bench_seed',
          ]).toString(),
        ),
    }
  }
  if (dialect === 'mysql') {
    mariadb(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}`)
    mariadb(DDL.mysql, DB)
    return {
      url: `mysql://${MY.user}@${MY.host}:${MY.port}/${DB}?sslmode=disable`,
      empty: () => mariadb('TRUNCATE bench_seed', DB),
      count: () =>
        Number(
          execFileSync('mariadb', [
            '-h',
            MY.host,
            '-P',
            MY.port,
            '-u',
            MY.user,
            DB,
            '-NBe',
            'SELECT count(*) FROM bench_seed',
          ]).toString(),
        ),
    }
  }
  const file = join(work, 'bench.sqlite')
  rmSync(file, { force: true })
  execFileSync('sqlite3', [file, DDL.sqlite])
  return {
    url: `sqlite://${file}`,
    file,
    empty: () => execFileSync('sqlite3', [file, 'DELETE FROM bench_seed']),
    count: () => Number(execFileSync('sqlite3', [file, 'SELECT count(*) FROM bench_seed']).toString()),
  }
}

function standardTool(dialect, csv, target) {
  if (dialect === 'postgres') {
    return run('psql', [
      '-h',
      PG.host,
      '-p',
      PG.port,
      '-U',
      PG.user,
      '-d',
      DB,
      '-v',
      'ON_ERROR_STOP=1',
      '-qc',
      `\\copy bench_seed FROM '${csv}' WITH (FORMAT csv, HEADER true)`,
    ])
  }
  if (dialect === 'mysql') {
    return run('mariadb', [
      '--local-infile=1',
      '-h',
      MY.host,
      '-P',
      MY.port,
      '-u',
      MY.user,
      DB,
      '-e',
      `LOAD DATA LOCAL INFILE '${csv}' INTO TABLE bench_seed CHARACTER SET utf8mb4 FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' LINES TERMINATED BY '\\n' IGNORE 1 LINES`,
    ])
  }
  return run('sqlite3', [target.file, '.import --csv --skip 1 ' + csv + ' bench_seed'])
}

const TOOL_NAME = { postgres: 'psql \\copy', mysql: 'mariadb LOAD DATA LOCAL', sqlite: 'sqlite3 .import' }

async function main() {
  for (const tool of ['psql', 'mariadb', 'sqlite3']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'pipe' })
    } catch {
      log(`missing ${tool}: install it (Debian: apt-get install -y postgresql-client mariadb-client sqlite3)`)
      process.exit(1)
    }
  }
  mkdirSync(DATA, { recursive: true })
  const work = join(DATA, 'work')
  rmSync(work, { recursive: true, force: true })
  mkdirSync(join(work, 'seeds'), { recursive: true })
  log(`building the CLI and the engine bundle…`)
  execFileSync(process.execPath, ['scripts/build-cli.mjs', '--outdir', join(DATA, 'cli')], {
    cwd: REPO,
    stdio: 'inherit',
  })
  const CLI = join(DATA, 'cli', 'migr8.js')
  const esbuild = await import('esbuild')
  await esbuild.build({
    entryPoints: { seed: join(REPO, 'src-main/seed/index.ts') },
    outdir: join(DATA, 'engine'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  })
  const engine = await import(pathToFileURL(join(DATA, 'engine', 'seed.js')).href)

  const csv = join(work, 'seeds', 'bench_seed.csv')
  const started = performance.now()
  await generateCsv(csv, ROWS)
  const size = statSync(csv).size
  log(`data: ${fmt(ROWS)} rows, ${mib(size)} (generated in ${((performance.now() - started) / 1000).toFixed(1)} s)`)
  log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}, node ${process.version}`,
  )
  log()

  const results = []
  for (const dialect of DIALECTS) {
    const target = prepare(dialect, work)
    writeFileSync(join(work, 'migr8.yaml'), `database:\n  url: ${target.url}\nseeds:\n  dir: seeds\n`)
    const cases = {
      tool: () => standardTool(dialect, csv, target),
      fast: () => run(process.execPath, [CLI, 'seed', 'run', '--truncate', '--json'], { cwd: work, trackRss: true }),
      validate: () =>
        run(process.execPath, [CLI, 'seed', 'run', '--truncate', '--validate', '--json'], {
          cwd: work,
          trackRss: true,
        }),
    }
    // BENCH_SEED_INLINE=1: also the default command with CSV parsing on the main thread (no worker), for comparison.
    if (INLINE)
      cases.inline = () =>
        run(process.execPath, [CLI, 'seed', 'run', '--truncate', '--json'], {
          cwd: work,
          trackRss: true,
          env: { ...process.env, MIGR8_SEED_PARSER: 'inline' },
        })
    const times = { tool: [], fast: [], validate: [], inline: [] }
    const rss = { fast: 0, validate: 0, inline: 0 }
    const method = {}
    for (let i = 0; i < REPEAT; i++) {
      for (const [name, fn] of Object.entries(cases)) {
        target.empty()
        // The previous run's dirty pages (125 MiB and more) would otherwise be written back during this
        // one: a SQLite run then took 3.2 or 4.8 s depending on the kernel's timing.
        execFileSync('sync')
        const result = await fn()
        const loaded = target.count()
        if (loaded !== ROWS)
          throw new Error(
            `${dialect} ${name}: loaded ${loaded} rows, expected ${ROWS}\n${result.stdout}${result.stderr}`,
          )
        times[name].push(result.ms)
        if (name !== 'tool') {
          rss[name] = Math.max(rss[name], result.peak)
          method[name] = JSON.parse(result.stdout).reports[0].tables[0].method
        }
      }
    }
    const rate = (name) => ROWS / (median(times[name]) / 1000)
    results.push([
      dialect,
      TOOL_NAME[dialect],
      fmt(rate('tool')),
      `${fmt(rate('fast'))} (${method.fast})`,
      `${(rate('fast') / rate('tool')).toFixed(2)}×`,
      `${fmt(rate('validate'))} (${method.validate})`,
      `${(rate('validate') / rate('tool')).toFixed(2)}×`,
      `${mib(rss.fast)} / ${mib(rss.validate)}`,
    ])
    log(
      `${dialect}: tool ${median(times.tool).toFixed(0)} ms, migr8 ${median(times.fast).toFixed(0)} ms, --validate ${median(times.validate).toFixed(0)} ms` +
        (INLINE
          ? `, parsing on the main thread ${median(times.inline).toFixed(0)} ms (${(rate('inline') / rate('tool')).toFixed(2)}×, peak RSS ${mib(rss.inline)})`
          : ''),
    )
  }
  log()
  log(
    table(
      [
        'dialect',
        'standard tool',
        'tool rows/s',
        'migr8 rows/s',
        'ratio',
        'migr8 --validate rows/s',
        'ratio',
        'migr8 peak RSS (fast / validate)',
      ],
      results,
    ),
  )

  const previewTimes = []
  for (let i = 0; i < 5; i++) {
    const t = performance.now()
    const preview = await engine.previewSeed(undefined, csv, { rows: 100 })
    previewTimes.push(performance.now() - t)
    if (preview.rows.length !== Math.min(100, ROWS)) throw new Error('preview returned too few rows')
  }
  log()
  log(
    `preview of the first 100 rows of the ${mib(size)} file: median ${median(previewTimes).toFixed(1)} ms (in-process, 5 runs)`,
  )

  if (GB) {
    const big = join(DATA, 'big', 'seeds', 'bench_seed.csv')
    mkdirSync(join(DATA, 'big', 'seeds'), { recursive: true })
    const bigRows = Number(process.env.BENCH_SEED_GB_ROWS ?? 10_000_000)
    await generateCsv(big, bigRows)
    const bigSize = statSync(big).size
    const times = []
    for (let i = 0; i < 5; i++) {
      const t = performance.now()
      await engine.previewSeed(undefined, big, { rows: 100 })
      times.push(performance.now() - t)
    }
    log(`preview of the first 100 rows of the ${mib(bigSize)} file: median ${median(times).toFixed(1)} ms`)
    for (const dialect of DIALECTS) {
      const target = prepare(dialect, work)
      writeFileSync(join(DATA, 'big', 'migr8.yaml'), `database:\n  url: ${target.url}\nseeds:\n  dir: seeds\n`)
      for (const flags of dialect === 'postgres' ? [[], ['--validate']] : [[]]) {
        target.empty()
        const result = await run(process.execPath, [CLI, 'seed', 'run', '--truncate', '--json', ...flags], {
          cwd: join(DATA, 'big'),
          trackRss: true,
        })
        log(
          `migr8 seed run ${flags.join(' ')} of the ${mib(bigSize)} file into ${dialect}: ${(result.ms / 1000).toFixed(1)} s, ${fmt(bigRows / (result.ms / 1000))} rows/s, peak RSS ${mib(result.peak)}`,
        )
      }
      target.empty()
    }
  }

  if (process.env.BENCH_KEEP !== '1') {
    try {
      psql(`DROP DATABASE IF EXISTS ${DB}`, 'postgres')
      mariadb(`DROP DATABASE IF EXISTS ${DB}`)
    } catch {
      // servers not used
    }
  }
}

await main()
