/** Contract entries of "Adopt": taking over a database another migration tool has migrated (spread into the contract). */
import { z } from 'zod'
import { JobRef } from './jobref.js'

const profileId = z.string().min(1).max(64)
const password = z.string().max(1000).optional()

/** The tools whose history Migr8 can take over (mirrors SOURCE_TOOLS of src-main/migrate/adopt/types.ts). */
export const ADOPT_SOURCE_TOOLS = ['golang-migrate', 'goose', 'dbmate', 'flyway', 'node-pg-migrate'] as const
export const ADOPT_ENTRY_STATES = ['applied', 'stopped', 'pending', 'missing_file'] as const
export const ADOPT_ENTRY_ACTIONS = ['import', 'keep_existing', 'none'] as const

const sourceTool = z.enum(ADOPT_SOURCE_TOOLS)

export const AdoptDetection = z.object({
  tool: sourceTool,
  table: z.string(),
  rows: z.number(),
  summary: z.string(),
})

export const AdoptionEntryView = z.object({
  version: z.string(),
  sourceVersion: z.string().optional(),
  name: z.string(),
  state: z.enum(ADOPT_ENTRY_STATES),
  hasFile: z.boolean(),
  file: z.string().optional(),
  appliedAt: z.string().optional(),
  note: z.string().optional(),
  outOfOrder: z.boolean().optional(),
  action: z.enum(ADOPT_ENTRY_ACTIONS),
})

/** The preview of an adoption (AdoptionPlan): what the other tool recorded, joined with today's files. */
export const AdoptionPlanView = z.object({
  from: sourceTool,
  table: z.string(),
  dir: z.string(),
  entries: z.array(AdoptionEntryView),
  applied: z.array(z.string()),
  stopped: z.array(z.object({ version: z.string(), name: z.string(), reason: z.string() })),
  filesWithoutRow: z.array(z.object({ version: z.string(), name: z.string(), file: z.string() })),
  rowsWithoutFile: z.array(z.object({ version: z.string(), name: z.string() })),
  existingMigr8Rows: z.number(),
  toImport: z.number(),
  warnings: z.array(z.string()),
})

/** What an adopt job ends with (its `result`). */
export const AdoptRunResult = z.object({
  from: sourceTool,
  table: z.string(),
  imported: z.array(z.string()),
  kept: z.array(z.string()),
  stopped: z.number(),
  rowsWithoutFile: z.number(),
  filesWithoutRow: z.number(),
  warnings: z.array(z.string()),
})

export const adoptContract = {
  /** Read-only: other tools' history tables found in the profile's database. */
  'adopt.detect': {
    input: z.object({ profileId, password }).strict(),
    output: z.array(AdoptDetection),
  },
  /** Read-only: the adoption preview (what would be imported, stopped runs, gaps, warnings). */
  'adopt.plan': {
    input: z
      .object({
        profileId,
        password,
        from: sourceTool.or(z.literal('auto')).default('auto'),
        force: z.boolean().optional(),
      })
      .strict(),
    output: AdoptionPlanView,
  },
  /** Imports the other tool's history into Migr8's as a job (its table is left untouched); result: AdoptRunResult. */
  'adopt.run': {
    input: z.object({ profileId, password, from: sourceTool, force: z.boolean().optional() }).strict(),
    output: JobRef,
  },
} as const
