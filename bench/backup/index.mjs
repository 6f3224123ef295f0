/* global setInterval, clearInterval, performance */
// `node bench/backup/index.mjs`: Migr8's backups and restores against the standard tools, in one run.
//
// PostgreSQL: a generated database (BENCH_PG_MB, default 64 MiB of table data; BENCH_PG_MB=1024 for the
// ~1 GB run of the issue), backed up with each Migr8 mode and with the equivalent shell pipeline
// (`pg_dump | zstd`, `pg_dump | gzip -3`, `pg_dump -Fc`, `pg_dump -Fd -j N`, `pg_dump`), plus the
// reference `pg_dump | gzip -6`; then each backup restored by Migr8 and by `… | psql` /
// `pg_restore [-j N]` from the same file (or folder). SQLite: a generated file (BENCH_SQLITE_MB, default 64) backed up by Migr8 and by
// `sqlite3 .backup`. Every Migr8 figure is the CLI process from spawn to exit; its peak RSS is the
// node process's VmHWM (the dump tools run in their own processes). Medians of BENCH_REPEAT runs
// (default 3), interleaved. The machine may be shared: read the ratios.
//
// Env: BENCH_PG_MB, BENCH_SQLITE_MB, BENCH_REPEAT, BENCH_ONLY (postgres,sqlite), BENCH_KEEP=1 (keep data),
// BENCH_JOBS (parallel jobs of the directory mode, default: the number of CPUs).
import { spawn, execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const CLI = join(REPO, 'bin', 'migr8.mjs')
const DATA = join(REPO, 'bench', '.data', 'backup')
const PG_MB = Number(process.env.BENCH_PG_MB ?? 64)
const SQLITE_MB = Number(process.env.BENCH_SQLITE_MB ?? 64)
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3)
const ONLY = (process.env.BENCH_ONLY ?? 'postgres,sqlite').split(',')
const JOBS = Number(process.env.BENCH_JOBS ?? Math.max(1, cpus().length))
const PG = {
  host: process.env.MIGR8_TEST_PG_HOST ?? '127.0.0.1',
  port: process.env.MIGR8_TEST_PG_PORT ?? '5432',
  user: process.env.MIGR8_TEST_PG_USER ?? 'postgres',
}
const PIGZ = process.env.MIGR8_NO_EXTERNAL_COMPRESSOR !== '1' && commandExists('pigz')
const PG_ENV = { ...process.env, PGHOST: PG.host, PGPORT: PG.port, PGUSER: PG.user }

function commandExists(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const log = (line = '') => process.stdout.write(`${line}\n`)
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`
/** Bytes of a file, or of the files in a folder (directory-format dumps). */
const sizeOf = (path) =>
  statSync(path).isDirectory()
    ? readdirSync(path).reduce((sum, name) => sum + statSync(join(path, name)).size, 0)
    : statSync(path).size
const secs = (ms) => `${(ms / 1000).toFixed(2)} s`
const table = (header, rows) => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

/** Runs a command to completion; returns wall ms and, for node processes, the peak RSS (VmHWM). */
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
      if (poll) clearInterval(poll)
      const ms = performance.now() - started
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`))
      else resolve({ ms, peak, stdout })
    })
  })
}

const sh = (script, options = {}) => run('bash', ['-c', `set -eo pipefail; ${script}`], options)
const psql = (sql, db = 'postgres') =>
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', sql], {
    env: PG_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
const dropdb = (name) => psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)

function project(dir, database) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'migr8.yaml'), database)
  return dir
}

async function migr8(cwd, args) {
  const result = await run(process.execPath, [CLI, '--json', ...args], { cwd, trackRss: true })
  return { ...result, json: JSON.parse(result.stdout) }
}

async function postgres() {
  const source = 'migr8_bench_backup'
  const rows = Math.round((PG_MB * 1048576) / 330)
  log(`\n## PostgreSQL: generating ${source} (~${PG_MB} MiB of table data, ${rows.toLocaleString('en-US')} rows)`)
  dropdb(source)
  psql(`CREATE DATABASE ${source}`)
  // Realistic text: repeated words and numbers (SQL dumps compress ~4-6x), plus json, timestamps, numerics.
  psql(
    `CREATE TABLE orders AS SELECT g AS id, 'customer ' || (g % 50000) || ' ordered item ' || (g % 977) AS note,
       md5(g::text) AS ref, now() - g * interval '17 seconds' AS at, (g % 100000)::numeric / 100 AS amount,
       jsonb_build_object('sku', 'SKU-' || (g % 5000), 'qty', g % 7, 'tags', jsonb_build_array('a', 'b', g % 3)) AS doc,
       repeat('lorem ipsum dolor sit amet ', 3 + g % 5) AS body
     FROM generate_series(1, ${rows}) g;
     ALTER TABLE orders ADD PRIMARY KEY (id); CREATE INDEX orders_at ON orders (at); ANALYZE orders`,
    source,
  )
  // Settle the fresh data first (hint bits, visibility map, checkpoint), or the first dump pays for it.
  psql('VACUUM (FREEZE, ANALYZE)', source)
  psql('CHECKPOINT')
  execFileSync('bash', ['-c', `pg_dump -d ${source} > /dev/null`], { env: PG_ENV })
  const size = Number(
    execFileSync('psql', ['-X', '-At', '-d', source, '-c', 'SELECT pg_database_size(current_database())'], {
      env: PG_ENV,
      encoding: 'utf8',
    }).trim(),
  )
  log(`database size ${mib(size)}`)
  const dir = project(
    join(DATA, 'pg'),
    `database:\n  driver: postgres\n  host: ${PG.host}\n  port: ${PG.port}\n  user: ${PG.user}\n  name: ${source}\n  ssl:\n    mode: disable\n`,
  )
  const shellDir = join(DATA, 'pg-shell')
  mkdirSync(shellDir, { recursive: true })

  const modes = [
    {
      name: 'default (auto: zstd -3 -T0)',
      args: [],
      shell: `pg_dump -d ${source} | zstd -3 -T0 -q -c > "$OUT"; sync "$OUT"`,
      ext: 'sql.zst',
      restore: `zstd -dc "$OUT" | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$DB"`,
    },
    {
      // Migr8's gzip is pigz -6 when pigz is installed, else Node's zlib at level 3: compare with the same.
      name: PIGZ ? 'gzip (pigz -6)' : 'gzip (Node zlib level 3)',
      args: ['--compress', 'gzip'],
      shell: `pg_dump -d ${source} | ${PIGZ ? 'pigz -6 -n' : 'gzip -3'} > "$OUT"; sync "$OUT"`,
      ext: 'sql.gz',
      restore: `gunzip -c "$OUT" | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$DB"`,
    },
    {
      name: 'custom (pg_dump -Fc -Z3)',
      args: ['--format', 'custom'],
      shell: `pg_dump -d ${source} -Fc -Z 3 > "$OUT"; sync "$OUT"`,
      ext: 'dump',
      restore: `pg_restore --exit-on-error --single-transaction -d "$DB" "$OUT"`,
    },
    {
      name: `directory (pg_dump -Fd -j ${JOBS} -Z3)`,
      args: ['--format', 'directory', '--jobs', String(JOBS)],
      // pg_dump fsyncs a directory archive itself (Migr8 runs it with --no-sync and fsyncs while hashing).
      shell: `rm -rf "$OUT"; pg_dump -d ${source} -Fd -j ${JOBS} -Z 3 -f "$OUT"`,
      ext: 'dir',
      restore: `pg_restore --exit-on-error -j ${JOBS} -d "$DB" "$OUT"`,
      restoreArgs: ['--jobs', String(JOBS)],
    },
    {
      name: 'none',
      args: ['--no-compress'],
      shell: `pg_dump -d ${source} > "$OUT"; sync "$OUT"`,
      ext: 'sql',
      restore: `psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$DB" -f "$OUT"`,
    },
  ]
  const results = new Map(
    modes.map((m) => [
      m.name,
      {
        migr8: [],
        shell: [],
        rss: [],
        size: 0,
        shellSize: 0,
        restore: [],
        shellRestore: [],
        restoreRss: [],
        verify: [],
        id: '',
      },
    ]),
  )
  const reference = { ms: [], size: 0 }
  for (let rep = 0; rep < REPEAT; rep++) {
    for (const mode of modes) {
      const r = results.get(mode.name)
      rmSync(join(dir, 'backups'), { recursive: true, force: true })
      const out = join(shellDir, `shell.${mode.ext}`)
      // Alternate which runs first, so neither always gets the warmer caches.
      const shellFirst = rep % 2 === 1
      const shellBackup = async () => r.shell.push((await sh(mode.shell, { env: { ...PG_ENV, OUT: out } })).ms)
      if (shellFirst) await shellBackup()
      const made = await migr8(dir, ['backup', 'create', ...mode.args])
      r.migr8.push(made.ms)
      r.rss.push(made.peak)
      r.size = made.json.sizeCompressed
      r.id = made.json.id
      if (!shellFirst) await shellBackup()
      r.shellSize = sizeOf(out)
      r.verify.push((await migr8(dir, ['backup', 'verify', r.id])).ms)
      // Restores, from the same files: Migr8 (verify + load) and the plain tool.
      const target = `migr8_bench_restore_${rep}`
      const plainRestore = async () => {
        dropdb(target)
        psql(`CREATE DATABASE ${target}`)
        const file = join(dir, 'backups', made.json.file)
        r.shellRestore.push((await sh(mode.restore, { env: { ...PG_ENV, OUT: file, DB: target } })).ms)
        dropdb(target)
        psql('CHECKPOINT')
      }
      if (shellFirst) await plainRestore()
      dropdb(target)
      const restored = await migr8(dir, ['backup', 'restore', r.id, '--target-db', target, ...(mode.restoreArgs ?? [])])
      r.restore.push(restored.ms)
      r.restoreRss.push(restored.peak)
      dropdb(target)
      psql('CHECKPOINT')
      if (!shellFirst) await plainRestore()
    }
    const out = join(shellDir, 'reference.sql.gz')
    const ref = await sh(`pg_dump -d ${source} | gzip -6 > "$OUT"`, { env: { ...PG_ENV, OUT: out } })
    reference.ms.push(ref.ms)
    reference.size = statSync(out).size
  }
  const def = results.get(modes[0].name)
  log(`\nReference \`pg_dump | gzip -6\`: ${secs(median(reference.ms))}, ${mib(reference.size)}`)
  log(
    `Migr8 default vs reference: ${(median(def.migr8) / median(reference.ms)).toFixed(2)}× the time, ${((100 * def.size) / reference.size).toFixed(0)}% of the size\n`,
  )
  const backupRows = modes.map((m) => {
    const r = results.get(m.name)
    return [
      m.name,
      secs(median(r.migr8)),
      secs(median(r.shell)),
      `${(median(r.migr8) / median(r.shell)).toFixed(2)}×`,
      mib(r.size),
      mib(r.shellSize),
      mib(Math.max(...r.rss)),
    ]
  })
  log(
    table(
      ['Migr8 backup mode', 'Migr8', 'shell pipeline', 'ratio', 'Migr8 size', 'shell size', 'Migr8 peak RSS'],
      backupRows,
    ),
  )
  const restoreRows = modes.map((m) => {
    const r = results.get(m.name)
    const load = median(r.restore) - median(r.verify)
    return [
      m.name,
      secs(median(r.restore)),
      secs(median(r.verify)),
      secs(load),
      secs(median(r.shellRestore)),
      `${(median(r.restore) / median(r.shellRestore)).toFixed(2)}×`,
      `${(load / median(r.shellRestore)).toFixed(2)}×`,
      mib(Math.max(...r.restoreRss)),
    ]
  })
  log('')
  log(
    table(
      [
        'restore of',
        'Migr8 restore',
        'of which verify',
        'load (restore − verify)',
        'plain tool',
        'ratio',
        'load ratio',
        'Migr8 peak RSS',
      ],
      restoreRows,
    ),
  )
  if (process.env.BENCH_KEEP !== '1') dropdb(source)
  return { size, backupRows, restoreRows, reference, def }
}

async function sqlite() {
  const dir = join(DATA, 'sqlite')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'bench.sqlite')
  const rows = Math.round((SQLITE_MB * 1048576) / 200)
  log(`\n## SQLite: generating ${file} (~${SQLITE_MB} MiB, ${rows.toLocaleString('en-US')} rows)`)
  execFileSync('sqlite3', [
    file,
    `PRAGMA journal_mode=WAL; CREATE TABLE orders (id INTEGER PRIMARY KEY, note TEXT, ref TEXT, amount REAL, body TEXT);
     WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${rows})
     INSERT INTO orders SELECT g, 'customer ' || (g % 50000) || ' ordered item ' || (g % 977), hex(randomblob(8)), (g % 100000) / 100.0,
       substr('lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum dolor sit amet lorem ipsum', 1, 40 + g % 60) FROM s;
     CREATE INDEX orders_note ON orders (note);`,
  ])
  const size = statSync(file).size
  log(`database size ${mib(size)}`)
  const cwd = project(join(dir, 'project'), `database:\n  driver: sqlite\n  name: ${file}\n`)
  const result = { none: [], zstd: [], cli: [], rss: [], zstdSize: 0 }
  for (let rep = 0; rep < REPEAT; rep++) {
    rmSync(join(cwd, 'backups'), { recursive: true, force: true })
    const none = await migr8(cwd, ['backup', 'create', '--no-compress'])
    result.none.push(none.ms)
    result.rss.push(none.peak)
    const zstd = await migr8(cwd, ['backup', 'create'])
    result.zstd.push(zstd.ms)
    result.rss.push(zstd.peak)
    result.zstdSize = zstd.json.sizeCompressed
    const out = join(dir, 'cli-copy.sqlite')
    rmSync(out, { force: true })
    result.cli.push((await sh(`sqlite3 '${file}' ".backup '${out}'"; sync '${out}'`)).ms)
  }
  const rowsOut = [
    [
      'Migr8 --no-compress (online backup API)',
      secs(median(result.none)),
      `${(median(result.none) / median(result.cli)).toFixed(2)}×`,
      mib(size),
    ],
    [
      'Migr8 default (zstd)',
      secs(median(result.zstd)),
      `${(median(result.zstd) / median(result.cli)).toFixed(2)}×`,
      mib(result.zstdSize),
    ],
    ["sqlite3 '.backup'", secs(median(result.cli)), '1.00×', mib(size)],
  ]
  log('')
  log(table(['SQLite backup', 'time', 'vs sqlite3 .backup', 'size'], rowsOut))
  log(`Migr8 peak RSS ${mib(Math.max(...result.rss))}`)
  if (process.env.BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true })
}

log(
  `# Backup benchmark — ${new Date().toISOString()}, ${cpus().length} CPU (${cpus()[0]?.model ?? '?'}), load ${loadavg()[0].toFixed(2)}, Node ${process.version}, repeat ${REPEAT}`,
)
if (!existsSync(join(REPO, 'out', 'cli', 'migr8.js')))
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: REPO, stdio: 'inherit' })
if (ONLY.includes('postgres')) await postgres()
if (ONLY.includes('sqlite')) await sqlite()
if (process.env.BENCH_KEEP !== '1' && existsSync(DATA) && readdirSync(DATA).length === 0)
  rmSync(DATA, { recursive: true })
