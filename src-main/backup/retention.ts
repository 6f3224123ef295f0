import type { BackupRecord } from './types.js'

export interface RetentionPolicy {
  /** Keep this many newest backups per profile and database. */
  keep?: number
  /** Delete backups older than this many milliseconds. */
  maxAge?: number
}

export interface RetentionPlan {
  deleted: BackupRecord[]
  kept: BackupRecord[]
  /** Would have gone, but it is the newest verified backup of its group. */
  protected: BackupRecord[]
}

/**
 * Which backups retention removes. Groups are (profile, driver, database); within a group, a
 * backup goes when it is beyond the `keep` newest or older than `maxAge`. The newest verified
 * backup of a group is never removed, whatever the policy says.
 */
export function planRetention(backups: readonly BackupRecord[], policy: RetentionPolicy, now: Date): RetentionPlan {
  const groups = new Map<string, BackupRecord[]>()
  for (const backup of backups) {
    const key = JSON.stringify([backup.profile, backup.driver, backup.database])
    const group = groups.get(key) ?? []
    group.push(backup)
    groups.set(key, group)
  }
  const plan: RetentionPlan = { deleted: [], kept: [], protected: [] }
  for (const group of groups.values()) {
    group.sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1))
    const newestVerified = group.find((backup) => backup.verifiedAt)
    group.forEach((backup, index) => {
      const tooMany = policy.keep !== undefined && index >= policy.keep
      const tooOld = policy.maxAge !== undefined && now.getTime() - Date.parse(backup.createdAt) > policy.maxAge
      if (!tooMany && !tooOld) plan.kept.push(backup)
      else if (backup === newestVerified) plan.protected.push(backup)
      else plan.deleted.push(backup)
    })
  }
  return plan
}
