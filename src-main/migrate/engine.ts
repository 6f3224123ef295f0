import { Migr8Error, throwIfAborted } from '../../src-shared/errors.js'
import type { RunContext } from '../../src-shared/progress.js'
import type { MigrationsConfig, OutOfOrderPolicy } from '../config/schema.js'
import type { Adapter } from '../db/adapter.js'
import { FileFactsCache, cacheDir } from './formats/file-cache.js'
import { canonicalVersion, readMigrationSummaries, readMigrations } from './formats/index.js'
import { HistoryStore } from './history.js'
import { acquireMigrationLock, actorName, currentLockHolder, migrationLockKey } from './lock.js'
import type { HistoryRow, Migration, MigrationStatus } from './model.js'
import { prepareScript, renderDryRun, runPrepared, type Direction, type PreparedScript } from './runner.js'
import { computeStatus } from './status.js'
import { compareVersions } from './version.js'

export interface MigratorSettings extends MigrationsConfig {
  /** Folder of the migration files (absolute). */
  dir: string
}

export interface StepResult {
  version: string
  name: string
  direction: Direction
  durationMs: number
}

export interface RunResult {
  steps: StepResult[]
  /** The SQL that would run, for dry runs. */
  dryRunSql?: string
  current?: string
}

export interface UpOptions {
  to?: string
  step?: number
  dryRun?: boolean
  outOfOrder?: OutOfOrderPolicy
}

export interface DownOptions {
  to?: string
  step?: number
  dryRun?: boolean
}

export interface RepairOptions {
  markApplied?: string
  forget?: string
  /** Re-record the checksums of applied migrations whose files were edited on purpose. */
  checksums?: boolean
}

/** State shared by one locked operation: files and history read once. */
interface Snapshot {
  migrations: Migration[]
  history: Map<string, HistoryRow>
}

/**
 * The migration engine. Every operation that writes takes the migration lock first, then reads
 * the files and the history once, plans, and runs each migration with its own transaction (or
 * statement tracking where the dialect cannot roll back).
 */
export class Migrator {
  private readonly history: HistoryStore
  private readonly actor = actorName()

  constructor(
    private readonly adapter: Adapter,
    private readonly settings: MigratorSettings,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.history = new HistoryStore(adapter, settings.table)
  }

  private lockKey(): string {
    return migrationLockKey(this.adapter, this.settings.table)
  }

  /**
   * Runs `fn` under the migration lock with files and history read once. A dry run only reads: it
   * takes no lock and creates no table, so previewing never changes the database.
   */
  private async locked<T>(
    ctx: RunContext,
    fn: (snapshot: Snapshot) => Promise<T>,
    options: { dryRun?: boolean } = {},
  ): Promise<T> {
    const migrations = readMigrations(this.settings.dir)
    if (options.dryRun) {
      const history = (await this.history.exists()) ? await this.history.load() : new Map<string, HistoryRow>()
      return fn({ migrations, history })
    }
    const lock = await acquireMigrationLock(
      this.adapter,
      this.history,
      {
        mode: this.settings.lock.mode,
        timeoutMs: this.settings.lock.timeout,
        leaseMs: this.settings.lock.lease,
        key: this.lockKey(),
      },
      ctx,
    )
    try {
      const history = await this.history.load()
      return await fn({ migrations, history })
    } finally {
      await lock.release()
    }
  }

  /** Read-only: works without the lock and without creating any table. */
  async status(): Promise<MigrationStatus> {
    const migrations = readMigrationSummaries(
      this.settings.dir,
      new FileFactsCache(this.settings.dir, cacheDir(this.env)),
    )
    if (!(await this.history.exists())) return computeStatus(migrations, new Map(), new Map())
    const [history, failures, lock] = await Promise.all([
      this.history.load(),
      this.history.lastFailures(),
      currentLockHolder(this.adapter, this.history, this.lockKey()),
    ])
    return { ...computeStatus(migrations, history, failures), lock }
  }

  async journal(limit?: number) {
    if (!(await this.history.exists())) return []
    return this.history.readJournal(limit)
  }

  /** Problems that block applying anything: a stopped run, edited files. */
  private preflight(snapshot: Snapshot): void {
    const status = computeStatus(snapshot.migrations, snapshot.history, new Map())
    const partial = status.entries.filter((e) => e.state === 'partial' || e.state === 'partial_down')
    if (partial.length > 0) {
      const first = partial[0]
      throw new Migr8Error(
        'MIGRATION_PARTIAL',
        `Migration ${first.version}_${first.name} stopped after statement ${first.statements?.done} of ${first.statements?.total}${first.error ? `: ${first.error}` : ''}. Nothing else runs until it is settled.`,
        `Run \`migr8 migrate resume\` to continue it, or \`migr8 migrate repair --mark-applied ${first.version}\` / \`--forget ${first.version}\`.`,
        { versions: partial.map((e) => e.version) },
      )
    }
    const drift = status.entries.filter((e) => e.state === 'checksum_drift')
    if (drift.length > 0) {
      throw new Migr8Error(
        'CHECKSUM_MISMATCH',
        `Applied migration files were edited: ${drift.map((e) => `${e.version}_${e.name}`).join(', ')}.`,
        'Revert the edits and add a new migration instead; if the edit was intended (e.g. a comment), run `migr8 migrate repair --checksums`.',
        { versions: drift.map((e) => e.version) },
      )
    }
  }

  private findFile(snapshot: Snapshot, version: string): Migration {
    const key = canonicalVersion(version)
    const migration = snapshot.migrations.find((m) => canonicalVersion(m.version) === key)
    if (!migration)
      throw new Migr8Error(
        'MIGRATION_NOT_FOUND',
        `No migration file has version ${version}.`,
        `Run \`migr8 migrate status\` to see the versions in ${this.settings.dir}.`,
        { version },
      )
    return migration
  }

  private appliedVersions(snapshot: Snapshot): string[] {
    return [...snapshot.history.values()]
      .filter((row) => row.state === 'applied')
      .map((row) => row.version)
      .sort(compareVersions)
  }

  private async execute(plan: PreparedScript[], dryRun: boolean | undefined, ctx: RunContext): Promise<RunResult> {
    if (dryRun) return { steps: [], dryRunSql: plan.map((p) => renderDryRun(p, this.settings.table)).join('\n') }
    const steps: StepResult[] = []
    for (const [index, prepared] of plan.entries()) {
      throwIfAborted(ctx.signal)
      const { migration, direction } = prepared
      ctx.onProgress?.({
        phase: `${direction} ${migration.version}_${migration.name}`,
        done: index,
        total: plan.length,
        unit: 'migrations',
      })
      const durationMs = await runPrepared(this.adapter, this.history, prepared, { actor: this.actor }, ctx)
      ctx.onLog?.(
        'info',
        `${direction === 'up' ? 'applied' : 'rolled back'} ${migration.version}_${migration.name} (${durationMs} ms${prepared.transactional ? '' : ', without transaction'})`,
      )
      steps.push({ version: migration.version, name: migration.name, direction, durationMs })
    }
    ctx.onProgress?.({ phase: 'done', done: plan.length, total: plan.length, unit: 'migrations' })
    return { steps }
  }

  private planUp(snapshot: Snapshot, options: UpOptions, ctx: RunContext): PreparedScript[] {
    this.preflight(snapshot)
    const applied = new Set([...snapshot.history.keys()].map(canonicalVersion))
    const newest = this.appliedVersions(snapshot).pop()
    let pending = snapshot.migrations.filter((m) => !applied.has(canonicalVersion(m.version)))
    const late = newest === undefined ? [] : pending.filter((m) => compareVersions(m.version, newest) < 0)
    const policy = options.outOfOrder ?? this.settings.outOfOrder
    if (late.length > 0) {
      const names = late.map((m) => `${m.version}_${m.name}`).join(', ')
      if (policy === 'error') {
        throw new Migr8Error(
          'MIGRATION_OUT_OF_ORDER',
          `Pending migrations are older than the newest applied one (${newest}): ${names}.`,
          'Renumber them after the newest applied version, or run with `--out-of-order allow` to apply them anyway.',
          { versions: late.map((m) => m.version) },
        )
      }
      if (policy === 'ignore') {
        ctx.onLog?.('warn', `skipping out-of-order migrations: ${names}`)
        pending = pending.filter((m) => !late.includes(m))
      }
    }
    if (options.to !== undefined) {
      const target = this.findFile(snapshot, options.to)
      pending = pending.filter((m) => compareVersions(m.version, target.version) <= 0)
    }
    if (options.step !== undefined) pending = pending.slice(0, options.step)
    return pending.map((m) => prepareScript(this.adapter, m, 'up', this.env))
  }

  private planDown(snapshot: Snapshot, options: DownOptions): PreparedScript[] {
    this.preflight(snapshot)
    let versions = this.appliedVersions(snapshot).reverse()
    if (options.to !== undefined) {
      const to = options.to
      if (to !== '0' && !versions.some((v) => compareVersions(v, to) === 0)) {
        throw new Migr8Error(
          'MIGRATION_NOT_FOUND',
          `Version ${to} is not applied, so there is nothing to roll back to.`,
          'Give an applied version (see `migr8 migrate status`), or 0 to roll back everything.',
          { version: to },
        )
      }
      versions = versions.filter((v) => compareVersions(v, to) > 0)
    } else {
      versions = versions.slice(0, options.step ?? 1)
    }
    // Every down script is checked before the first runs, so a missing one never strands the database halfway.
    return versions.map((version) => prepareScript(this.adapter, this.findFile(snapshot, version), 'down', this.env))
  }

  up(options: UpOptions = {}, ctx: RunContext = {}): Promise<RunResult> {
    return this.locked(
      ctx,
      async (snapshot) =>
        this.withCurrent(await this.execute(this.planUp(snapshot, options, ctx), options.dryRun, ctx)),
      options,
    )
  }

  down(options: DownOptions = {}, ctx: RunContext = {}): Promise<RunResult> {
    return this.locked(
      ctx,
      async (snapshot) => this.withCurrent(await this.execute(this.planDown(snapshot, options), options.dryRun, ctx)),
      options,
    )
  }

  /** Moves to exactly `version`: up to it if it is ahead, down to it if it is behind. */
  goto(version: string, options: { dryRun?: boolean } = {}, ctx: RunContext = {}): Promise<RunResult> {
    return this.locked(
      ctx,
      async (snapshot) => {
        const newest = this.appliedVersions(snapshot).pop()
        const plan =
          newest !== undefined && compareVersions(version, newest) < 0
            ? this.planDown(snapshot, { to: version })
            : this.planUp(snapshot, { to: version, outOfOrder: 'error' }, ctx)
        return this.withCurrent(await this.execute(plan, options.dryRun, ctx))
      },
      options,
    )
  }

  /** Rolls back the newest migration and applies it again. */
  redo(options: { dryRun?: boolean } = {}, ctx: RunContext = {}): Promise<RunResult> {
    return this.locked(
      ctx,
      async (snapshot) => {
        const down = this.planDown(snapshot, { step: 1 })
        if (down.length === 0)
          throw new Migr8Error(
            'MIGRATION_NOT_FOUND',
            'No migration is applied, so there is nothing to redo.',
            'Run `migr8 migrate up` first.',
          )
        const up = prepareScript(this.adapter, down[0].migration, 'up', this.env)
        return this.withCurrent(await this.execute([...down, up], options.dryRun, ctx))
      },
      options,
    )
  }

  /** Continues a migration that stopped mid-way outside a transaction, after its last good statement. */
  resume(options: { dryRun?: boolean } = {}, ctx: RunContext = {}): Promise<RunResult> {
    return this.locked(
      ctx,
      async (snapshot) => {
        const row = [...snapshot.history.values()].find((r) => r.state !== 'applied')
        if (!row)
          throw new Migr8Error(
            'NOT_FOUND',
            'No migration is stopped part-way; there is nothing to resume.',
            'Run `migr8 migrate status` to see the state of each migration.',
          )
        const direction: Direction = row.state === 'partial' ? 'up' : 'down'
        const prepared = prepareScript(this.adapter, this.findFile(snapshot, row.version), direction, this.env)
        if (options.dryRun) {
          return {
            steps: [],
            dryRunSql: renderDryRun(
              {
                ...prepared,
                statements: prepared.statements.slice(row.statementsDone),
                transactional: false,
                reason: `resuming at statement ${row.statementsDone + 1}`,
              },
              this.settings.table,
            ),
          }
        }
        ctx.onLog?.(
          'info',
          `resuming ${row.version}_${row.name} at statement ${row.statementsDone + 1} of ${prepared.statements.length}`,
        )
        const durationMs = await runPrepared(
          this.adapter,
          this.history,
          { ...prepared, transactional: false },
          { actor: this.actor, resumeFrom: row },
          ctx,
        )
        return this.withCurrent({ steps: [{ version: row.version, name: row.name, direction, durationMs }] })
      },
      options,
    )
  }

  /** Settles a stopped migration by hand (`markApplied`/`forget`) or re-records edited checksums. */
  repair(options: RepairOptions, ctx: RunContext = {}): Promise<{ actions: string[] }> {
    return this.locked(ctx, async (snapshot) => {
      const actions: string[] = []
      const stopped = (version: string) => {
        const row =
          snapshot.history.get(version) ??
          [...snapshot.history.values()].find((r) => canonicalVersion(r.version) === canonicalVersion(version))
        if (!row || row.state === 'applied')
          throw new Migr8Error(
            'NOT_FOUND',
            `Migration ${version} is not stopped part-way.`,
            'Only a migration shown as partial by `migr8 migrate status` can be repaired this way.',
            { version },
          )
        return row
      }
      if (options.markApplied) {
        const row = stopped(options.markApplied)
        if (row.state === 'partial')
          await this.history.update(this.adapter, row.version, {
            state: 'applied',
            error: undefined,
            statementsDone: row.statementsTotal,
          })
        else await this.history.remove(this.adapter, row.version)
        await this.history.journal(this.adapter, {
          version: row.version,
          event: 'repaired',
          actor: this.actor,
          detail: `marked ${row.state === 'partial' ? 'applied' : 'rolled back'} by hand after statement ${row.statementsDone} of ${row.statementsTotal}`,
        })
        actions.push(`${row.version}: marked ${row.state === 'partial' ? 'applied' : 'rolled back'}`)
      }
      if (options.forget) {
        const row = stopped(options.forget)
        if (row.state === 'partial') await this.history.remove(this.adapter, row.version)
        else
          await this.history.update(this.adapter, row.version, {
            state: 'applied',
            error: undefined,
            statementsDone: row.statementsTotal,
          })
        await this.history.journal(this.adapter, {
          version: row.version,
          event: 'forgotten',
          actor: this.actor,
          detail: `the stopped ${row.state === 'partial' ? 'up' : 'down'} run was undone by hand`,
        })
        actions.push(`${row.version}: forgotten (back to ${row.state === 'partial' ? 'pending' : 'applied'})`)
      }
      if (options.checksums) {
        for (const migration of snapshot.migrations) {
          const row = snapshot.history.get(migration.version)
          if (!row || row.state !== 'applied' || row.checksum === migration.checksum) continue
          await this.history.update(this.adapter, row.version, { checksum: migration.checksum })
          await this.history.journal(this.adapter, {
            version: row.version,
            event: 'repaired',
            actor: this.actor,
            detail: `checksum ${row.checksum} -> ${migration.checksum}`,
          })
          actions.push(`${row.version}: checksum re-recorded`)
        }
      }
      return { actions }
    })
  }

  /** Records every migration up to `version` as applied without running it, on a database with no history yet. */
  baseline(version: string, ctx: RunContext = {}): Promise<RunResult> {
    return this.locked(ctx, async (snapshot) => {
      if (snapshot.history.size > 0) {
        throw new Migr8Error(
          'BAD_USAGE',
          `The database already has a migration history (${snapshot.history.size} rows); baseline is for databases Migr8 has not migrated yet.`,
          'Use `migr8 migrate mark-applied VERSION` to record single migrations instead.',
        )
      }
      const target = this.findFile(snapshot, version)
      const covered = snapshot.migrations.filter((m) => compareVersions(m.version, target.version) <= 0)
      for (const migration of covered) await this.recordWithoutRunning(migration, 'baselined')
      return this.withCurrent({
        steps: covered.map((m) => ({ version: m.version, name: m.name, direction: 'up' as const, durationMs: 0 })),
      })
    })
  }

  /** Records one migration as applied without running it (the schema change was made another way). */
  markApplied(version: string, ctx: RunContext = {}): Promise<RunResult> {
    return this.locked(ctx, async (snapshot) => {
      const migration = this.findFile(snapshot, version)
      if ([...snapshot.history.keys()].some((v) => canonicalVersion(v) === canonicalVersion(version))) {
        throw new Migr8Error(
          'BAD_USAGE',
          `Migration ${version} is already recorded.`,
          'Run `migr8 migrate status` to see its state.',
          { version },
        )
      }
      await this.recordWithoutRunning(migration, 'marked_applied')
      return this.withCurrent({
        steps: [{ version: migration.version, name: migration.name, direction: 'up', durationMs: 0 }],
      })
    })
  }

  private async recordWithoutRunning(migration: Migration, event: 'baselined' | 'marked_applied'): Promise<void> {
    await this.adapter.withTransaction(async (tx) => {
      await this.history.insert(tx, {
        version: migration.version,
        name: migration.name,
        checksum: migration.checksum,
        state: 'applied',
        appliedAt: new Date(),
        executionMs: 0,
        appliedBy: this.actor,
        statementsDone: 0,
        statementsTotal: 0,
        statementHashes: [],
      })
      await this.history.journal(tx, { version: migration.version, event, actor: this.actor, durationMs: 0 })
    })
  }

  /** Status problems plus a lexer pass over every file, without touching the database's schema. */
  async validate(): Promise<{ ok: boolean; problems: string[] }> {
    const status = await this.status()
    const problems = [...status.problems]
    for (const migration of readMigrations(this.settings.dir)) {
      for (const direction of ['up', 'down'] as const) {
        if (direction === 'down' && !migration.down) continue
        try {
          const prepared = prepareScript(this.adapter, migration, direction, this.env)
          if (prepared.statements.length === 0)
            problems.push(`${migration.version}_${migration.name}: the ${direction} script has no statements`)
        } catch (error) {
          problems.push(error instanceof Migr8Error ? error.message : String(error))
        }
      }
    }
    return { ok: problems.length === 0, problems }
  }

  private async withCurrent(result: RunResult): Promise<RunResult> {
    if (result.dryRunSql !== undefined) return result
    const history = await this.history.load()
    const current = [...history.values()]
      .filter((r) => r.state === 'applied')
      .map((r) => r.version)
      .sort(compareVersions)
      .pop()
    return { ...result, current }
  }
}
