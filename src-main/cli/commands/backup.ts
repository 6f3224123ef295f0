import type { Command } from 'commander'

/** `migr8 backup …` — filled in by the backup engine work. */
export function registerBackupCommands(_program: Command): void {}
