import { existsSync } from 'node:fs'
import { readFile, readdir, rm, stat } from 'node:fs/promises'
import { z } from 'zod'
import { Migr8Error } from '../../src-shared/errors.js'
import { DRIVERS } from '../config/schema.js'
import { directoryFiles, directorySize, fsyncDir, writeFileAtomic } from './files.js'
import {
  BACKUP_ID_PATTERN,
  DIRECTORY_EXTENSION,
  METADATA_EXTENSION,
  PARTIAL_SUFFIX,
  assertBackupId,
  idOfBackupFile,
  insideBackupDir,
} from './paths.js'
import type { BackupList, BackupProblem, BackupRecord } from './types.js'

/** Metadata files are validated: they may be edited by hand or come from another version. */
const recordSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string().regex(BACKUP_ID_PATTERN),
  profile: z.string(),
  driver: z.enum(DRIVERS),
  database: z.string(),
  serverVersion: z.string(),
  createdAt: z.string(),
  durationMs: z.number().nonnegative(),
  sizeRaw: z.number().int().nonnegative().nullable(),
  sizeCompressed: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  tool: z.string(),
  toolVersion: z.string(),
  compressor: z.string().optional(),
  migrationVersion: z.string().nullable(),
  label: z.string().optional(),
  format: z.enum(['plain', 'custom', 'directory', 'sqlite']),
  compression: z.enum(['gzip', 'zstd', 'lz4', 'none']),
  file: z.string(),
  verifiedAt: z.string().optional(),
})

export function metadataPath(dir: string, id: string): string {
  return insideBackupDir(dir, `${assertBackupId(id)}${METADATA_EXTENSION}`)
}

/** Writes (or rewrites) a backup's metadata atomically. */
export async function writeRecord(dir: string, record: BackupRecord): Promise<void> {
  insideBackupDir(dir, record.file)
  await writeFileAtomic(metadataPath(dir, record.id), `${JSON.stringify(record, null, 2)}\n`, PARTIAL_SUFFIX)
}

async function readRecordFile(dir: string, id: string): Promise<BackupRecord> {
  const text = await readFile(metadataPath(dir, id), 'utf8')
  const record = recordSchema.parse(JSON.parse(text)) as BackupRecord
  if (record.id !== id) throw new Error(`it describes ${record.id}`)
  if (idOfBackupFile(record.file) !== id) throw new Error(`its file name ${record.file} does not belong to ${id}`)
  if ((record.format === 'directory') !== record.file.endsWith(DIRECTORY_EXTENSION))
    throw new Error(`its format ${record.format} does not match its file name ${record.file}`)
  insideBackupDir(dir, record.file)
  return record
}

/** Bytes of a stored backup: a regular file, or for the directory format a plain folder of regular files. */
async function storedSize(dir: string, record: BackupRecord): Promise<number | undefined> {
  const path = insideBackupDir(dir, record.file)
  if (record.format === 'directory') return directorySize(path)
  return stat(path).then(
    (s) => (s.isFile() ? s.size : undefined),
    () => undefined,
  )
}

/**
 * Every complete backup in the folder, newest first, and everything else that looks like one:
 * files without metadata, metadata without files, size mismatches, unreadable metadata and
 * leftovers of interrupted backups (`.partial`). Problems are reported, never used.
 */
export async function listCatalog(dir: string): Promise<BackupList> {
  if (!existsSync(dir)) return { dir, backups: [], problems: [] }
  const names = await readdir(dir)
  const backups: BackupRecord[] = []
  const problems: BackupProblem[] = []
  const files = new Map<string, string>()
  for (const name of names) {
    if (name.endsWith(PARTIAL_SUFFIX)) {
      problems.push({
        kind: 'leftover-partial',
        name,
        message: `${name} is left over from an interrupted backup, restore or verify; it is not a backup.`,
      })
      continue
    }
    const id = idOfBackupFile(name)
    if (id) files.set(id, name)
  }
  const claimed = new Set<string>()
  for (const name of names) {
    if (!name.endsWith(METADATA_EXTENSION)) continue
    const id = name.slice(0, -METADATA_EXTENSION.length)
    if (!BACKUP_ID_PATTERN.test(id)) continue
    let record: BackupRecord
    try {
      record = await readRecordFile(dir, id)
    } catch (error) {
      problems.push({
        kind: 'unreadable-metadata',
        name,
        message: `${name} is not valid backup metadata: ${(error as Error).message.split('\n')[0]}`,
      })
      if (files.has(id)) claimed.add(id)
      continue
    }
    claimed.add(id)
    const size = await storedSize(dir, record)
    if (size === undefined) {
      problems.push({
        kind: 'metadata-without-file',
        name,
        message: `${name} describes ${record.file}, which is missing${record.format === 'directory' ? ' or not a plain folder of files' : ''}.`,
      })
    } else if (size !== record.sizeCompressed) {
      problems.push({
        kind: 'size-mismatch',
        name: record.file,
        message: `${record.file} has ${size} bytes, its metadata says ${record.sizeCompressed}: the file was changed or truncated.`,
      })
    } else {
      backups.push(record)
    }
  }
  for (const [id, name] of files) {
    if (!claimed.has(id))
      problems.push({
        kind: 'file-without-metadata',
        name,
        message: `${name} has no metadata (${id}.json): it is not listed and never restored.`,
      })
  }
  backups.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
  problems.sort((a, b) => (a.name < b.name ? -1 : 1))
  return { dir, backups, problems }
}

/** One complete backup by id; BACKUP_NOT_FOUND (with the reason) otherwise. */
export async function findRecord(dir: string, id: string): Promise<BackupRecord> {
  assertBackupId(id)
  const list = await listCatalog(dir)
  const record = list.backups.find((backup) => backup.id === id)
  if (record) return record
  const problem = list.problems.find((p) => p.name.startsWith(id))
  throw new Migr8Error(
    'BACKUP_NOT_FOUND',
    problem ? `Backup ${id} is not usable: ${problem.message}` : `There is no backup ${id} in ${dir}.`,
    'Run `migr8 backup list` to see the backups and problems in the backup folder.',
    { id },
  )
}

/**
 * Removes a backup: metadata first (so it leaves the list at once), then the file. A directory-format
 * backup is removed with its files only when it is still a plain folder of files (never a symbolic
 * link, never with anything else inside), so a delete cannot reach beyond the backup folder.
 */
export async function removeRecord(dir: string, record: BackupRecord): Promise<void> {
  const file = insideBackupDir(dir, record.file)
  const folder = record.format === 'directory'
  if (folder)
    await directoryFiles(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error
    })
  await rm(metadataPath(dir, record.id), { force: true })
  await rm(file, { force: true, recursive: folder })
  await fsyncDir(dir)
}
