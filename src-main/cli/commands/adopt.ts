import { Command, Option } from 'commander'
import {
  adopt,
  SOURCE_TOOLS,
  type AdoptFrom,
  type AdoptionPlan,
  type AdoptionResult,
} from '../../migrate/adopt/index.js'
import { action } from '../context.js'

const STATE_LABELS = {
  applied: 'applied',
  stopped: 'STOPPED',
  pending: 'pending',
  missing_file: 'applied, NO FILE',
} as const

/** The preview: one line per version, then the stopped runs, the gaps and the warnings. */
export function describePlan(plan: AdoptionPlan): string[] {
  const lines = [`Found ${plan.from} history in ${plan.table}; migrations folder ${plan.dir}.`, '']
  const rows = plan.entries.map((e) => [
    e.version,
    e.name,
    STATE_LABELS[e.state] + (e.outOfOrder ? ' (out of order)' : ''),
    e.appliedAt ? e.appliedAt.replace('T', ' ').slice(0, 19) : '',
    e.action === 'import' ? 'import' : e.action === 'keep_existing' ? 'already in Migr8' : '',
    e.note ?? '',
  ])
  const header = ['VERSION', 'NAME', 'STATE', 'APPLIED AT (UTC)', 'ACTION', 'NOTE']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  lines.push(...(rows.length ? [line(header), ...rows.map(line)] : ['No migrations recorded and no files.']))
  lines.push(
    '',
    `applied: ${plan.applied.length}; stopped: ${plan.stopped.length}; files without a row (pending): ${plan.filesWithoutRow.length}; rows without a file: ${plan.rowsWithoutFile.length}`,
  )
  for (const s of plan.stopped)
    lines.push(
      `stopped: ${s.version}_${s.name} (${s.reason}) becomes a partial Migr8 migration: after adopting, \`migr8 migrate resume\` runs it again from its first statement, \`migr8 migrate repair --mark-applied ${s.version}\` if it was finished by hand, \`--forget ${s.version}\` if it was undone.`,
    )
  for (const r of plan.rowsWithoutFile)
    lines.push(`no file: ${r.version}_${r.name} is imported as applied but cannot be rolled back by Migr8`)
  for (const w of plan.warnings) lines.push(`warning: ${w}`)
  return lines
}

function summary(result: AdoptionResult): string[] {
  const lines = describePlan(result.plan)
  if (result.dryRun) {
    lines.push(
      '',
      `Dry run: nothing written. \`migr8 adopt --from ${result.plan.from}\` imports ${result.plan.toImport} row(s).`,
    )
    return lines
  }
  lines.push(
    '',
    `Imported ${result.imported.length} row(s) into Migr8's history${result.kept.length ? ` (kept ${result.kept.length} Migr8 already had)` : ''}; ${result.plan.table} was left untouched, so ${result.plan.from} still works.`,
    'Next: `migr8 migrate status` to check, `migr8 migrate up` for the pending files.',
  )
  return lines
}

export function registerAdoptCommand(program: Command): void {
  const command: Command = program
    .command('adopt')
    .description("take over a database migrated by another tool: import its history into Migr8's")
    .addOption(
      new Option('--from <tool>', 'the tool whose history to import')
        .choices(['auto', ...SOURCE_TOOLS])
        .default('auto'),
    )
    .option('--table <name>', "the other tool's history table, when not its default name")
    .option('--dry-run', 'show what was found and what would be imported, write nothing')
    .option('--force', 'Migr8 already has history: import only the versions it lacks')
    .action(
      action(
        () => command,
        async (context) => {
          const options = command.opts<{ from: AdoptFrom; table?: string; dryRun?: boolean; force?: boolean }>()
          const result = await adopt(
            await context.adapter(),
            context.config.migrations,
            options,
            // Warnings are printed with the plan, so the run's own log stays quiet about them.
            {
              ...context.output.context(context.signal),
              onLog: (level, message) => level !== 'warn' && context.output.log(level, message),
            },
          )
          context.output.result(summary(result), result)
        },
      ),
    )
}
