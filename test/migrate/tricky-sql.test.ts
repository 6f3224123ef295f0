import { describe, expect, it } from 'vitest'
import type { Driver } from '../../src-main/config/schema.js'
import { Migrator } from '../../src-main/migrate/index.js'
import { availableDialects, useDatabase } from '../support/databases.js'
import { migrationsDir, settings } from '../support/migrations.js'

const dialects = await availableDialects()

/** Scripts other tools split wrongly; each must apply whole and leave the stated effect. */
const CORPUS: Record<Driver, Record<string, string>> = {
  postgres: {
    '1_functions.up.sql': `
CREATE TABLE audit (id serial PRIMARY KEY, note text);
-- A function body full of semicolons and a nested $$ inside $fn$.
CREATE FUNCTION add_note(n text) RETURNS void AS $fn$
BEGIN
  INSERT INTO audit (note) VALUES (n || '; ok');
  PERFORM 'not $$ the end';
END;
$fn$ LANGUAGE plpgsql;
DO $$ BEGIN PERFORM add_note('from do; block'); END $$;
SELECT add_note(E'it\\'s; escaped');
/* block comment; with /* nested */ semicolons; */
CREATE FUNCTION twice(i integer) RETURNS integer LANGUAGE sql
BEGIN ATOMIC
  SELECT i * 2;
END;
INSERT INTO audit (note) VALUES ('two: ' || twice(1)::text);
INSERT INTO audit (note) VALUES ('semi;colon'), ("quoted")
`.replace('("quoted")', '(\'"dq;"\')'),
  },
  mysql: {
    '1_procs.up.sql': `
CREATE TABLE audit (id int AUTO_INCREMENT PRIMARY KEY, note text);
# hash comment; with a semicolon
DELIMITER //
CREATE PROCEDURE add_note(IN n text)
BEGIN
  IF n IS NOT NULL THEN
    INSERT INTO audit (note) VALUES (CONCAT(n, '; ok'));
  END IF;
END //
DELIMITER ;
CALL add_note('from proc; call');
CREATE TRIGGER audit_upper BEFORE INSERT ON audit FOR EACH ROW
BEGIN
  IF NEW.note = 'lower' THEN
    SET NEW.note = 'UPPER';
  END IF;
END;
INSERT INTO audit (note) VALUES ('lower');
INSERT INTO audit (note) VALUES ('it\\'s; escaped'), (\`note\` IS NULL);
`.replace('(`note` IS NULL)', "('back`tick;')"),
  },
  sqlite: {
    '1_triggers.up.sql': `
CREATE TABLE audit (id INTEGER PRIMARY KEY, note TEXT);
CREATE TABLE source (v TEXT);
CREATE TRIGGER copy_note AFTER INSERT ON source
BEGIN
  INSERT INTO audit (note) VALUES (NEW.v || '; ok');
  INSERT INTO audit (note) VALUES (CASE WHEN NEW.v = 'x' THEN 'case; end' ELSE 'other' END);
END;
INSERT INTO source VALUES ('x');
INSERT INTO audit (note) VALUES ('semi;colon'), ([source]);
`.replace('([source])', "('[br;acket]')"),
  },
}

const EXPECTED: Record<Driver, string[]> = {
  postgres: ['"dq;"', 'from do; block; ok', "it's; escaped; ok", 'semi;colon', 'two: 2'],
  mysql: ['UPPER', 'back`tick;', 'from proc; call; ok', "it's; escaped"],
  sqlite: ['[br;acket]', 'case; end', 'semi;colon', 'x; ok'],
}

describe.each(dialects)('tricky SQL on %s', (dialect) => {
  const db = useDatabase(dialect)

  it('applies the corpus whole: dollar quotes, DELIMITER, BEGIN … END bodies, comments and escapes', async () => {
    const adapter = await db.open()
    const migrator = new Migrator(adapter, settings(migrationsDir(CORPUS[dialect]).dir))
    await migrator.up()
    const rows = await adapter.query<{ note: string }>('SELECT note FROM audit')
    expect(rows.map((r) => r.note).sort()).toEqual([...EXPECTED[dialect]].sort())
  })
})

describe.runIf(dialects.includes('postgres'))('CREATE INDEX CONCURRENTLY on postgres', () => {
  const db = useDatabase('postgres')

  it('runs outside a transaction automatically while the migration lock is held, without hanging', async () => {
    const adapter = await db.open()
    const { dir } = migrationsDir({
      '1_table.up.sql':
        'CREATE TABLE big (id integer, v text);\nINSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 20000) g;',
      '2_index.up.sql':
        'CREATE INDEX CONCURRENTLY big_v ON big (v);\nCREATE UNIQUE INDEX CONCURRENTLY big_id ON big (id);',
      '2_index.down.sql': 'DROP INDEX CONCURRENTLY big_id;\nDROP INDEX CONCURRENTLY big_v;',
    })
    const migrator = new Migrator(adapter, settings(dir))
    const dry = await migrator.up({ dryRun: true })
    expect(dry.dryRunSql).toContain(
      'without a transaction: CREATE INDEX CONCURRENTLY (line 1) cannot run inside a transaction',
    )
    await migrator.up()
    const indexes = await adapter.query<{ indexname: string }>(
      "SELECT indexname FROM pg_indexes WHERE tablename = 'big' ORDER BY indexname",
    )
    expect(indexes.map((r) => r.indexname)).toEqual(['big_id', 'big_v'])
    expect((await migrator.status()).entries.map((e) => e.state)).toEqual(['applied', 'applied'])
    await migrator.down()
    expect(await adapter.query("SELECT 1 FROM pg_indexes WHERE tablename = 'big'")).toEqual([])
  })
})
