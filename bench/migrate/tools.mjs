// One migration run in this process, for a tool other than migr8 (which runs through its CLI):
//   node tools.mjs <tool> <dialect> <database> <dir>
// Prints the number of migrations it applied. The parent times the whole process, so every tool
// pays its own start-up (node, its modules, its driver, connecting) exactly as migr8's CLI does.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const [tool, dialect, database, dir] = process.argv.slice(2)
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database }
const MYSQL = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database }

/** postgrator 8 over the same drivers Migr8 uses; SQLite through an execQuery written over better-sqlite3. */
async function postgrator() {
  const { default: Postgrator } = await import('postgrator')
  let execQuery, execSqlScript, close
  if (dialect === 'postgres') {
    const { default: pg } = await import('pg')
    const client = new pg.Client(PG)
    await client.connect()
    execQuery = (sql) => client.query(sql)
    close = () => client.end()
  } else if (dialect === 'mysql') {
    const { default: mysql } = await import('mysql2/promise')
    // postgrator sends a whole file as one query, so its connection needs multipleStatements.
    const connection = await mysql.createConnection({ ...MYSQL, multipleStatements: true })
    execQuery = async (sql) => {
      const [rows] = await connection.query(sql)
      return { rows: Array.isArray(rows) ? rows : [] }
    }
    close = () => connection.end()
  } else {
    const { default: Database } = await import('better-sqlite3')
    // Default journal mode and synchronous setting, exactly as Migr8 opens the file.
    const db = new Database(database)
    execQuery = async (sql) => {
      const statement = db.prepare(sql)
      if (statement.reader) return { rows: statement.all() }
      statement.run()
      return { rows: [] }
    }
    execSqlScript = async (sql) => void db.exec(sql)
    close = async () => db.close()
  }
  try {
    const postgrator = new Postgrator({
      migrationPattern: join(dir, '*'),
      driver: dialect === 'postgres' ? 'pg' : dialect === 'mysql' ? 'mysql' : 'sqlite3',
      database,
      schemaTable: 'schemaversion',
      execQuery,
      execSqlScript,
    })
    return (await postgrator.migrate()).length
  } finally {
    await close()
  }
}

/** node-pg-migrate 8 through its programmatic runner (what its CLI calls), SQL migration files. */
async function nodePgMigrate() {
  const { runner } = await import('node-pg-migrate')
  const applied = await runner({
    databaseUrl: PG,
    dir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    log: () => undefined,
    verbose: false,
  })
  return applied.length
}

/**
 * The floor: the same SQL, one transaction per migration (autocommit DDL on MySQL), no history, no
 * lock, no checksum. What any tool adds is measured against this.
 */
async function floor() {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.up.sql'))
    .sort()
  const scripts = files.map((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  if (dialect === 'postgres') {
    const { default: pg } = await import('pg')
    const client = new pg.Client(PG)
    await client.connect()
    for (const statements of scripts) {
      await client.query('BEGIN')
      for (const sql of statements) await client.query(sql)
      await client.query('COMMIT')
    }
    await client.end()
  } else if (dialect === 'mysql') {
    const { default: mysql } = await import('mysql2/promise')
    const connection = await mysql.createConnection(MYSQL)
    for (const statements of scripts) for (const sql of statements) await connection.query(sql)
    await connection.end()
  } else {
    const { default: Database } = await import('better-sqlite3')
    const db = new Database(database)
    for (const statements of scripts) {
      db.exec('BEGIN IMMEDIATE')
      for (const sql of statements) db.exec(sql)
      db.exec('COMMIT')
    }
    db.close()
  }
  return scripts.length
}

const run = { postgrator, 'node-pg-migrate': nodePgMigrate, floor }[tool]
if (!run) throw new Error(`unknown tool ${tool}`)
process.stdout.write(`${await run()}\n`)
