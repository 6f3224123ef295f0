/** Column types of Migr8's history tables, the only part of their DDL that differs by dialect. */
export interface HistoryColumnTypes {
  /** The migration version: primary key of the history, also stored in the journal. */
  version: string
  text: string
  /** A text that may be long (the statement hashes of a large migration). */
  longText: string
  timestamp: string
  bigint: string
  int: string
  /** An auto-incrementing primary key, with its PRIMARY KEY clause. */
  autoId: string
  /** Appended after each CREATE TABLE (e.g. MySQL's character set). */
  tableOptions: string
}

/** DDL creating the history, journal and lock tables if they do not exist; the lock table comes last. */
export function historyTablesDdl(tableName: (suffix: string) => string, t: HistoryColumnTypes): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${tableName('')} (
        version ${t.version} NOT NULL PRIMARY KEY,
        name ${t.text} NOT NULL,
        checksum varchar(100) NOT NULL,
        state varchar(16) NOT NULL,
        applied_at ${t.timestamp} NOT NULL,
        execution_ms ${t.bigint} NOT NULL DEFAULT 0,
        applied_by ${t.text} NOT NULL,
        statements_done ${t.int} NOT NULL DEFAULT 0,
        statements_total ${t.int} NOT NULL DEFAULT 0,
        statement_hashes ${t.longText},
        error ${t.text}
      )${t.tableOptions}`,
    `CREATE TABLE IF NOT EXISTS ${tableName('_journal')} (
        id ${t.autoId},
        version ${t.version},
        event varchar(24) NOT NULL,
        at ${t.timestamp} NOT NULL,
        actor ${t.text} NOT NULL,
        duration_ms ${t.bigint},
        detail ${t.text}
      )${t.tableOptions}`,
    `CREATE TABLE IF NOT EXISTS ${tableName('_lock')} (
        id ${t.int} NOT NULL PRIMARY KEY,
        owner ${t.text} NOT NULL,
        acquired_at ${t.timestamp} NOT NULL,
        expires_at ${t.timestamp} NOT NULL
      )${t.tableOptions}`,
  ]
}
