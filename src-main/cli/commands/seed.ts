import type { Command } from 'commander'

/** `migr8 seed …` — filled in by the seed engine work. */
export function registerSeedCommands(_program: Command): void {}
