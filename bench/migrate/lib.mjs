// Helpers shared by the migration benchmarks: generated migration folders, throw-away databases,
// timed child processes and medians.
import { Buffer } from 'node:buffer'
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const DATA = join(REPO, 'bench', '.data', 'migrate')
/** This run's scratch folder (generated migrations, SQLite files, work folders), removed at the end. */
export const RUN = join(DATA, `run-${process.pid}`)
/**
 * The CLI under test: BENCH_CLI (a built migr8.js, e.g. a copy of an older build for before/after), or
 * a fresh build of the current sources into bench/.data/cli, so a rebuild of out/cli by someone else
 * during the run cannot change what is measured.
 */
export const CLI = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : join(RUN, 'cli', 'migr8.js')

export function buildCli() {
  if (process.env.BENCH_CLI) return CLI

  execFileSync(process.execPath, ['scripts/build-cli.mjs', '--outdir', join(RUN, 'cli')], {
    cwd: REPO,
    stdio: 'inherit',
  })
  return CLI
}
export const TOOLS = fileURLToPath(new URL('./tools.mjs', import.meta.url))

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** The SQL of generated migration `i`: a table, an index and two rows, portable to all three dialects. */
function migrationSql(i) {
  const t = `bench_t${i}`
  return {
    up: [
      `CREATE TABLE ${t} (id integer PRIMARY KEY, name varchar(100) NOT NULL, note varchar(200))`,
      `CREATE INDEX ${t}_name ON ${t} (name)`,
      `INSERT INTO ${t} (id, name) VALUES (1, 'one'), (2, 'two')`,
    ],
    down: [`DROP TABLE ${t}`],
  }
}

const pad = (i) => String(i).padStart(5, '0')

/**
 * Writes `count` migrations in each tool's file format, same SQL and versions everywhere:
 * migr8 (golang-migrate pairs), postgrator (`V.do.name.sql`), node-pg-migrate (`V_name.sql`).
 */
export function generateMigrations(root, count) {
  rmSync(root, { recursive: true, force: true })
  const dirs = { migr8: join(root, 'migr8'), postgrator: join(root, 'postgrator'), npm: join(root, 'npm') }
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true })
  for (let i = 1; i <= count; i++) {
    const { up, down } = migrationSql(i)
    const upSql = up.join(';\n') + ';\n'
    const downSql = down.join(';\n') + ';\n'
    writeFileSync(join(dirs.migr8, `${pad(i)}_create_t${i}.up.sql`), upSql)
    writeFileSync(join(dirs.migr8, `${pad(i)}_create_t${i}.down.sql`), downSql)
    writeFileSync(join(dirs.postgrator, `${pad(i)}.do.create_t${i}.sql`), upSql)
    writeFileSync(join(dirs.postgrator, `${pad(i)}.undo.create_t${i}.sql`), downSql)
    writeFileSync(
      join(dirs.npm, `${pad(i)}_create_t${i}.sql`),
      `-- Up Migration\n${upSql}\n-- Down Migration\n${downSql}`,
    )
  }
  return dirs
}

let serial = 0
/** A fresh, empty database; returns its name/path, a migr8 URL and a drop function. */
export async function freshDatabase(dialect) {
  const name = `migr8_bench_${process.pid}_${++serial}`
  if (dialect === 'sqlite') {
    const dir = join(RUN, 'sqlite', name)
    mkdirSync(dir, { recursive: true })
    const file = join(dir, 'bench.sqlite')
    return { database: file, url: `sqlite://${file}`, drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  if (dialect === 'postgres') {
    const { default: pg } = await import('pg')
    const admin = async (sql) => {
      const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' })
      await client.connect()
      try {
        await client.query(sql)
      } finally {
        await client.end()
      }
    }
    await admin(`CREATE DATABASE "${name}"`)
    return {
      database: name,
      url: `postgres://postgres@127.0.0.1:5432/${name}?sslmode=disable`,
      drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    }
  }
  const { default: mysql } = await import('mysql2/promise')
  const admin = async (sql) => {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '' })
    try {
      await connection.query(sql)
    } finally {
      await connection.end()
    }
  }
  await admin(`CREATE DATABASE \`${name}\``)
  return {
    database: name,
    url: `mysql://root@127.0.0.1:3306/${name}?sslmode=disable`,
    drop: () => admin(`DROP DATABASE IF EXISTS \`${name}\``),
  }
}

/** Runs a command to completion; resolves with its wall time (ms, spawn to exit) and stdout. */
export function timed(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options })
    const out = []
    const err = []
    child.stdout.on('data', (chunk) => out.push(chunk))
    child.stderr.on('data', (chunk) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      const ms = performance.now() - started
      const stdout = Buffer.concat(out).toString()
      if (code !== 0) {
        reject(
          new Error(
            `${command} ${args.join(' ')} exited ${code}\n${Buffer.concat(err).toString()}${stdout.slice(0, 2000)}`,
          ),
        )
        return
      }
      resolve({ ms, stdout })
    })
  })
}

/** A work folder holding a migr8.yaml, so the CLI never reads the repository's own config. */
export function migr8Workdir(name, migrationsDir) {
  const dir = join(RUN, 'work', name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, 'migr8.yaml'),
    `database:\n  driver: sqlite\n  name: ./unused.sqlite\nmigrations:\n  dir: ${JSON.stringify(migrationsDir)}\n`,
  )
  return dir
}

/** An older build to measure beside the current one in the same run (before/after figures). */
export const BASELINE_CLI = process.env.BENCH_BASELINE_CLI ? resolve(process.env.BENCH_BASELINE_CLI) : undefined

export function migr8(workdir, url, args, cli = CLI) {
  return timed(process.execPath, [cli, '--url', url, ...args], { cwd: workdir })
}

export function tool(name, dialect, database, dir) {
  return timed(process.execPath, [TOOLS, name, dialect, database, dir], { cwd: REPO })
}

export const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1))
