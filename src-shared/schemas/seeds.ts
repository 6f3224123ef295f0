/** Contract entries of the Seeds screen. */
import { z } from 'zod'
import { JobRef } from './jobref.js'

const profileId = z.string().min(1).max(64)
const password = z.string().max(1000).optional()

export const SeedSourceView = z.object({
  file: z.string(),
  name: z.string(),
  format: z.enum(['csv', 'yaml']),
  table: z.string(),
  bytes: z.number(),
})

const BadRowView = z.object({ line: z.number(), column: z.string(), value: z.string().nullable(), reason: z.string() })

export const SeedPreviewView = z.object({
  file: z.string(),
  format: z.enum(['csv', 'yaml']),
  table: z.string(),
  tables: z.array(z.string()),
  columns: z.array(
    z.object({
      name: z.string(),
      inferredType: z.string(),
      target: z.object({ type: z.string(), nullable: z.boolean(), hasDefault: z.boolean() }).optional(),
      problems: z.array(z.string()),
    }),
  ),
  rows: z.array(z.array(z.unknown())),
  lines: z.array(z.number()),
  problems: z.array(z.object({ kind: z.string(), column: z.string().optional(), message: z.string() })),
  badRows: z.array(BadRowView),
  estimatedRows: z.number(),
  exactRowCount: z.boolean(),
  delimiter: z.string().optional(),
  bytes: z.number(),
  unfilledColumns: z.array(z.string()),
  previewMs: z.number(),
})

export const SeedReportView = z.object({
  file: z.string(),
  name: z.string(),
  status: z.string(),
  rowsInserted: z.number(),
  tables: z.array(z.object({ table: z.string(), rows: z.number(), method: z.string() })),
  rejected: z.array(BadRowView),
  rejectedCount: z.number(),
  truncated: z.array(z.string()),
  bytes: z.number(),
  durationMs: z.number(),
  rowsPerSecond: z.number(),
  error: z
    .object({ code: z.string(), message: z.string(), remedy: z.string(), line: z.number().optional() })
    .optional(),
})

/** A seed file: one of the folder's (its name) or one dropped/picked in the window (uploaded first). */
const seedFile = z.string().min(1).max(2000)

export const seedContract = {
  'seeds.list': {
    input: z.object({ profileId }).strict(),
    output: z.object({ dir: z.string(), seeds: z.array(SeedSourceView) }),
  },
  /**
   * Stores a dropped or picked file in the app's staging folder, in pieces (browser mode caps a request at
   * 1 MB): the first piece without `append`, the next ones with it. Returns its path for preview/import.
   */
  'seeds.upload': {
    input: z
      .object({
        profileId,
        name: z
          .string()
          .min(1)
          .max(200)
          .regex(/^[^/\\\0]+\.(csv|tsv|ya?ml)$/i, 'a .csv, .tsv, .yaml or .yml file name'),
        text: z.string().max(300_000),
        append: z.boolean().optional(),
      })
      .strict(),
    output: SeedSourceView,
  },
  'seeds.preview': {
    input: z
      .object({
        profileId,
        password,
        file: seedFile,
        rows: z.number().int().min(1).max(10_000).optional(),
        table: z.string().max(200).optional(),
        delimiter: z.string().max(1).optional(),
        nullValues: z.array(z.string().max(50)).max(20).optional(),
      })
      .strict(),
    output: SeedPreviewView,
  },
  'seeds.run': {
    input: z
      .object({
        profileId,
        password,
        files: z.array(seedFile).max(1000).optional(),
        truncate: z.boolean().optional(),
        delimiter: z.string().max(1).optional(),
        nullValues: z.array(z.string().max(50)).max(20).optional(),
      })
      .strict(),
    output: JobRef,
  },
} as const
