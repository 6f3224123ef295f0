import { Migr8Error, throwIfAborted } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import { substituteEnv } from '../config/expand.js'
import type { Adapter, Session, SqlStatement } from '../db/adapter.js'
import { leadingKeywords } from '../db/sql/split.js'
import { inTransaction } from '../db/transaction.js'
import { statementHash } from './checksum.js'
import type { HistoryStore } from './history.js'
import type { HistoryRow, Migration, Script } from './model.js'

export type Direction = 'up' | 'down'

export interface PreparedScript {
  migration: Migration
  direction: Direction
  script: Script
  statements: SqlStatement[]
  transactional: boolean
  /** Why it runs outside a transaction, when it does. */
  reason?: string
}

/** Cuts a script into statements (format pieces first, then the dialect lexer) and applies envsub. */
export function prepareScript(
  adapter: Adapter,
  migration: Migration,
  direction: Direction,
  env: NodeJS.ProcessEnv,
): PreparedScript {
  const script = direction === 'up' ? migration.up : migration.down
  if (!script) {
    throw new Migr8Error(
      'NO_DOWN_MIGRATION',
      `Migration ${migration.version}_${migration.name} has no down script.`,
      'Write its down migration, or roll back by hand and run `migr8 migrate repair --forget` for it.',
      { version: migration.version },
    )
  }
  const pieces = script.pieces ?? [{ sql: script.sql, line: script.line, whole: false }]
  const statements = pieces.flatMap((piece) =>
    piece.whole
      ? [{ sql: piece.sql, line: piece.line }]
      : adapter.splitScript(piece.sql).map((s) => ({ sql: s.sql, line: piece.line + s.line - 1 })),
  )
  const substituted = script.envsub
    ? statements.map((s) => ({
        ...s,
        sql: substituteEnv(s.sql, env, (name) => {
          throw new Migr8Error(
            'MIGRATION_FILE_INVALID',
            `${script.file}:${s.line} uses \${${name}} (envsub is on), but ${name} is not set.`,
            `Set ${name}, or write \${${name}:-default}.`,
            { file: script.file, line: s.line },
          )
        }),
      }))
    : statements
  const policy = script.noTransaction
    ? { transactional: false, reason: 'the script asks for no transaction' }
    : adapter.transactionPolicy(substituted)
  return { migration, direction, script, statements: substituted, ...policy }
}

/** The exact SQL a run would send, for `--dry-run`. */
export function renderDryRun(prepared: PreparedScript, table: string): string {
  const { migration, direction, statements, transactional, reason } = prepared
  const header = `-- ${migration.version}_${migration.name} (${direction}) ${transactional ? 'in one transaction' : `without a transaction: ${reason}`}`
  const body = statements.map((s) => `${s.sql};`)
  const record =
    direction === 'up'
      ? `-- then: record version ${migration.version} in ${table}`
      : `-- then: remove version ${migration.version} from ${table}`
  return [header, ...(transactional ? ['BEGIN;', ...body, 'COMMIT;'] : body), record, ''].join('\n')
}

export interface RunOptions {
  actor: string
  /** For `resume`: the recorded row of the stopped run. */
  resumeFrom?: HistoryRow
}

function failure(prepared: PreparedScript, index: number, error: unknown, recorded: boolean): Migr8Error {
  const { migration, statements, script } = prepared
  const statement = statements[index]
  const text = error instanceof Migr8Error ? error.message : String((error as Error)?.message ?? error)
  // Driver messages come with and without a final full stop; the sentences after it need one.
  const cause = /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`
  const where = `${script.file}:${statement?.line ?? script.line}`
  const id = `${migration.version}_${migration.name}`
  if (error instanceof Migr8Error && error.code === 'CANCELLED') return error
  if (!recorded) {
    return new Migr8Error(
      'MIGRATION_FAILED',
      `Migration ${id} (${prepared.direction}) failed at statement ${index + 1} of ${statements.length} (${where}): ${cause} It was rolled back; nothing was recorded.`,
      `Fix the SQL at ${where} and run the command again.`,
      {
        version: migration.version,
        statement: index + 1,
        line: statement?.line,
        file: script.file,
        cause: error instanceof Migr8Error ? error.toPayload() : undefined,
      },
      error,
    )
  }
  return new Migr8Error(
    'MIGRATION_PARTIAL',
    `Migration ${id} (${prepared.direction}) stopped at statement ${index + 1} of ${statements.length} (${where}): ${cause} ${index === 0 ? 'No statement of it had run' : `Statements 1–${index} ran and are recorded`}; it ran without a transaction (${prepared.reason}).`,
    `Fix the cause, then \`migr8 migrate resume\` continues at statement ${index + 1}; or \`migr8 migrate repair --mark-applied ${migration.version}\` if you finished it by hand, or \`repair --forget ${migration.version}\` if you undid it.`,
    { version: migration.version, statement: index + 1, line: statement?.line, file: script.file },
    error,
  )
}

/** Runs one migration in one transaction with its history row: all or nothing. */
async function runInTransaction(
  adapter: Adapter,
  history: HistoryStore,
  prepared: PreparedScript,
  options: RunOptions,
  ctx: RunContext,
): Promise<number> {
  const started = performance.now()
  let index = 0
  try {
    await adapter.withTransaction(async (tx) => {
      for (index = 0; index < prepared.statements.length; index++) {
        throwIfAborted(ctx.signal)
        await tx.execute(prepared.statements[index].sql)
      }
      await record(tx, history, prepared, options, Math.round(performance.now() - started))
    })
  } catch (error) {
    throw failure(prepared, index, error, false)
  }
  return Math.round(performance.now() - started)
}

async function record(
  runner: Session,
  history: HistoryStore,
  prepared: PreparedScript,
  options: RunOptions,
  durationMs: number,
): Promise<void> {
  const { migration, direction, statements } = prepared
  // The history row and its journal entry in one write (one round trip on PostgreSQL).
  if (direction === 'up') {
    await history.record(runner, [
      history.insertWrite({
        version: migration.version,
        name: migration.name,
        checksum: migration.checksum,
        state: 'applied',
        appliedAt: new Date(),
        executionMs: durationMs,
        appliedBy: options.actor,
        statementsDone: statements.length,
        statementsTotal: statements.length,
        statementHashes: [],
      }),
      history.journalWrite({ version: migration.version, event: 'applied', actor: options.actor, durationMs }),
    ])
  } else {
    await history.record(runner, [
      history.removeWrite(migration.version),
      history.journalWrite({ version: migration.version, event: 'rolled_back', actor: options.actor, durationMs }),
    ])
  }
}

/**
 * Runs one migration statement by statement outside a transaction (MySQL DDL, CONCURRENTLY, …),
 * recording each statement's hash as it completes so a stop is visible and resumable.
 */
async function runTracked(
  adapter: Adapter,
  history: HistoryStore,
  prepared: PreparedScript,
  options: RunOptions,
  ctx: RunContext,
): Promise<number> {
  const { migration, direction, statements } = prepared
  const started = performance.now()
  const hashes = statements.map((s) => statementHash(s.sql))
  const state = direction === 'up' ? 'partial' : 'partial_down'
  let start = 0
  return adapter.withSession(async (session) => {
    if (options.resumeFrom) {
      start = options.resumeFrom.statementsDone
      const done = options.resumeFrom.statementHashes
      if (done.length !== start || done.some((hash, i) => hash !== hashes[i])) {
        throw new Migr8Error(
          'CHECKSUM_MISMATCH',
          `Cannot resume ${migration.version}_${migration.name}: statements 1–${start} changed since they ran.`,
          `Restore the file as it was, or settle it with \`migr8 migrate repair --mark-applied ${migration.version}\` / \`--forget ${migration.version}\`.`,
          { version: migration.version },
        )
      }
      // The statements already run are proven unchanged; the rest were fixed on purpose, so the file's checksum now counts.
      await history.update(session, migration.version, {
        error: undefined,
        ...(direction === 'up' ? { checksum: migration.checksum } : {}),
      })
    } else if (direction === 'up') {
      await history.insert(session, {
        version: migration.version,
        name: migration.name,
        checksum: migration.checksum,
        state,
        appliedAt: new Date(),
        executionMs: 0,
        appliedBy: options.actor,
        statementsDone: 0,
        statementsTotal: statements.length,
        statementHashes: [],
      })
    } else {
      await history.update(session, migration.version, {
        state,
        statementsDone: 0,
        statementHashes: [],
        error: undefined,
      })
    }
    /** The applied (or rolled back) state with the last statement's progress and the journal entry: one atomic write. */
    const finish = async (): Promise<number> => {
      const durationMs = Math.round(performance.now() - started)
      if (direction === 'down') {
        await record(session, history, prepared, options, durationMs)
        return durationMs
      }
      await history.record(session, [
        history.updateWrite(migration.version, {
          state: 'applied',
          statementsDone: statements.length,
          statementHashes: hashes,
          executionMs: durationMs,
          error: undefined,
          appliedAt: new Date(),
        }),
        history.journalWrite({
          version: migration.version,
          event: options.resumeFrom ? 'resumed' : 'applied',
          actor: options.actor,
          durationMs,
        }),
      ])
      return durationMs
    }
    const joins = joinsProgressTransaction(statements)
    let index = start
    let durationMs: number | undefined
    try {
      for (; index < statements.length; index++) {
        throwIfAborted(ctx.signal)
        ctx.onProgress?.({
          phase: `${direction} ${migration.version}_${migration.name}`,
          done: index,
          total: statements.length,
          unit: 'statements',
        })
        const last = index === statements.length - 1
        const progress = () =>
          history.update(session, migration.version, {
            statementsDone: index + 1,
            statementHashes: hashes.slice(0, index + 1),
          })
        if (joins[index]) {
          // Plain DML commits together with its progress (or the final state): exactly once, one commit fewer.
          await inTransaction(session, async () => {
            await session.execute(statements[index].sql)
            if (last) durationMs = await finish()
            else await progress()
          })
          continue
        }
        await session.execute(statements[index].sql)
        // The last statement's progress is recorded with the final state below, in the same write.
        if (last) break
        await progress()
      }
    } catch (error) {
      const typed = failure(prepared, index, error, true)
      await history
        .update(session, migration.version, {
          error: typed.code === 'CANCELLED' ? 'cancelled' : String((error as Error).message ?? error),
        })
        .catch(() => undefined)
      await history
        .journal(session, { version: migration.version, event: 'failed', actor: options.actor, detail: typed.message })
        .catch(() => undefined)
      throw typed
    }
    return durationMs ?? (await finish())
  })
}

/** Statements that end or open a transaction, or depend on the session's own: a script with one runs as written. */
const TRANSACTION_CONTROL = new Set([
  'BEGIN',
  'START',
  'COMMIT',
  'END',
  'ROLLBACK',
  'SAVEPOINT',
  'RELEASE',
  'LOCK',
  'UNLOCK',
  'XA',
  'SET',
])
const PLAIN_DML = new Set(['INSERT', 'UPDATE', 'DELETE', 'REPLACE'])

/**
 * Which statements of a statement-tracked run may share a transaction with their progress row:
 * plain DML, in a script that does not manage transactions (or session settings) itself.
 */
function joinsProgressTransaction(statements: readonly SqlStatement[]): boolean[] {
  const first = statements.map((statement) => leadingKeywords(statement.sql, 1)[0] ?? '')
  if (first.some((word) => TRANSACTION_CONTROL.has(word))) return first.map(() => false)
  return first.map((word) => PLAIN_DML.has(word))
}

export async function runPrepared(
  adapter: Adapter,
  history: HistoryStore,
  prepared: PreparedScript,
  options: RunOptions,
  ctx: RunContext,
): Promise<number> {
  try {
    return prepared.transactional && !options.resumeFrom
      ? await runInTransaction(adapter, history, prepared, options, ctx)
      : await runTracked(adapter, history, prepared, options, ctx)
  } catch (error) {
    if (error instanceof Migr8Error && error.code === 'MIGRATION_FAILED') {
      await history
        .journal(adapter, {
          version: prepared.migration.version,
          event: 'failed',
          actor: options.actor,
          detail: error.message,
        })
        .catch(() => undefined)
    }
    throw error
  }
}
