import { describe, it, expect } from 'vitest'
import { isCommentOnly, leadingKeywords, splitSql, type SqlDialect } from './split.js'

const DIALECTS: SqlDialect[] = ['postgres', 'mysql', 'sqlite']

function texts(sql: string, dialect: SqlDialect): string[] {
  return splitSql(sql, dialect).map((statement) => statement.sql)
}

describe('splitSql, all dialects', () => {
  describe.each(DIALECTS)('%s', (dialect) => {
    it('splits on semicolons and trims, dropping empty statements', () => {
      expect(splitSql('SELECT 1;  SELECT 2 ;;\n;  ', dialect)).toEqual([
        { sql: 'SELECT 1', line: 1 },
        { sql: 'SELECT 2', line: 1 },
      ])
    })

    it('keeps a final statement without a trailing semicolon', () => {
      expect(texts('SELECT 1;\nSELECT 2\n', dialect)).toEqual(['SELECT 1', 'SELECT 2'])
    })

    it('returns nothing for an empty or blank script', () => {
      expect(splitSql('', dialect)).toEqual([])
      expect(splitSql(' \n\t\r\n', dialect)).toEqual([])
    })

    it('ignores semicolons in single-quoted strings with doubled quotes', () => {
      expect(texts("INSERT INTO t VALUES ('a;b', 'it''s; fine');SELECT 2", dialect)).toEqual([
        "INSERT INTO t VALUES ('a;b', 'it''s; fine')",
        'SELECT 2',
      ])
    })

    it('ignores semicolons in double quotes', () => {
      expect(texts('SELECT "a;b" FROM t; SELECT "x""; y" FROM t', dialect)).toEqual([
        'SELECT "a;b" FROM t',
        'SELECT "x""; y" FROM t',
      ])
    })

    it('ignores semicolons in line and block comments', () => {
      const sql = 'SELECT 1 -- not here; nor here\n, 2 /* still; not */ FROM t;\nSELECT 3'
      expect(texts(sql, dialect)).toEqual(['SELECT 1 -- not here; nor here\n, 2 /* still; not */ FROM t', 'SELECT 3'])
    })

    it('drops comment-only fragments and starts each statement at its first token', () => {
      const sql = '-- header\n/* about the table */\nCREATE TABLE t (id int);\n\n-- trailing note\n'
      expect(splitSql(sql, dialect)).toEqual([{ sql: 'CREATE TABLE t (id int)', line: 3 }])
    })

    it('leaves comments after the last token out of the statement', () => {
      expect(texts('SELECT 1 /* done */ ;\nSELECT 2 -- the end', dialect)).toEqual(['SELECT 1', 'SELECT 2'])
    })

    it('keeps statements that span lines whole and numbers lines from 1', () => {
      const sql = 'SELECT 1;\n\nSELECT a,\n  b\nFROM t;\n   UPDATE t\n SET a = 1'
      expect(splitSql(sql, dialect)).toEqual([
        { sql: 'SELECT 1', line: 1 },
        { sql: 'SELECT a,\n  b\nFROM t', line: 3 },
        { sql: 'UPDATE t\n SET a = 1', line: 6 },
      ])
    })

    it('counts CRLF line breaks once', () => {
      const sql = 'SELECT 1;\r\n\r\nSELECT\r\n  2;\r\n-- c\r\nSELECT 3;\r\n'
      expect(splitSql(sql, dialect)).toEqual([
        { sql: 'SELECT 1', line: 1 },
        { sql: 'SELECT\r\n  2', line: 3 },
        { sql: 'SELECT 3', line: 6 },
      ])
    })

    it('counts lines inside strings and comments', () => {
      const sql = "SELECT 'a\nb\nc';\n/* one\ntwo\n*/ SELECT 2;"
      expect(splitSql(sql, dialect)).toEqual([
        { sql: "SELECT 'a\nb\nc'", line: 1 },
        { sql: 'SELECT 2', line: 6 },
      ])
    })

    it('skips a UTF-8 byte order mark', () => {
      expect(splitSql('\uFEFFSELECT 1;\nSELECT 2;', dialect)).toEqual([
        { sql: 'SELECT 1', line: 1 },
        { sql: 'SELECT 2', line: 2 },
      ])
    })

    it('runs an unterminated string to the end instead of losing it', () => {
      expect(texts("SELECT 1; SELECT 'oops; SELECT 2;", dialect)).toEqual(['SELECT 1', "SELECT 'oops; SELECT 2;"])
    })

    it('runs an unterminated block comment to the end', () => {
      expect(texts('SELECT 1; /* never closed; SELECT 2;', dialect)).toEqual(['SELECT 1'])
    })

    it('keeps non-ASCII text intact', () => {
      expect(texts("INSERT INTO t VALUES ('héllo; wörld', 'ü');SELECT 'ok'", dialect)).toEqual([
        "INSERT INTO t VALUES ('héllo; wörld', 'ü')",
        "SELECT 'ok'",
      ])
    })

    it('treats BEGIN TRANSACTION and a plain CREATE TABLE with CASE as ordinary statements', () => {
      const sql =
        'BEGIN;\nCREATE TABLE t (a int CHECK (CASE WHEN a > 0 THEN 1 ELSE 0 END = 1));\nINSERT INTO t VALUES (1);\nCOMMIT;'
      expect(texts(sql, dialect)).toEqual([
        'BEGIN',
        'CREATE TABLE t (a int CHECK (CASE WHEN a > 0 THEN 1 ELSE 0 END = 1))',
        'INSERT INTO t VALUES (1)',
        'COMMIT',
      ])
    })
  })
})

describe('splitSql, PostgreSQL', () => {
  const pg = (sql: string): string[] => texts(sql, 'postgres')

  it('nests block comments', () => {
    expect(pg('/* a /* b */ still comment; */ SELECT 1; SELECT 2')).toEqual(['SELECT 1', 'SELECT 2'])
  })

  it('treats -- as a comment even without a following space', () => {
    expect(pg('SELECT 1 --x; not a statement\n+ 1; SELECT 2')).toEqual([
      'SELECT 1 --x; not a statement\n+ 1',
      'SELECT 2',
    ])
  })

  it('keeps $$ bodies whole', () => {
    const sql = 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql;\nSELECT f();'
    expect(splitSql(sql, 'postgres')).toEqual([
      { sql: 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql', line: 1 },
      { sql: 'SELECT f()', line: 2 },
    ])
  })

  it('closes a $tag$ body only with the same tag, even when it contains $$', () => {
    const body = "$fn$\nBEGIN\n  EXECUTE $$ SELECT ';' $$;\n  RETURN 1;\nEND;\n$fn$"
    const sql = `CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS ${body};\nSELECT 2;`
    expect(splitSql(sql, 'postgres')).toEqual([
      { sql: `CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS ${body}`, line: 1 },
      { sql: 'SELECT 2', line: 7 },
    ])
  })

  it('does not take $1 parameters or identifiers containing $ for dollar quotes', () => {
    expect(pg('PREPARE p AS SELECT $1 + $2; SELECT a$b$c FROM t; SELECT 3')).toEqual([
      'PREPARE p AS SELECT $1 + $2',
      'SELECT a$b$c FROM t',
      'SELECT 3',
    ])
  })

  it('keeps DO blocks whole', () => {
    const sql = "DO $$\nBEGIN\n  RAISE NOTICE 'hi;';\n  PERFORM 1;\nEND\n$$;\nSELECT 1;"
    expect(pg(sql)).toEqual(["DO $$\nBEGIN\n  RAISE NOTICE 'hi;';\n  PERFORM 1;\nEND\n$$", 'SELECT 1'])
  })

  it('reads backslash escapes only in E strings', () => {
    expect(pg("SELECT E'it\\'s; here'; SELECT 2")).toEqual(["SELECT E'it\\'s; here'", 'SELECT 2'])
    expect(pg("SELECT e'a\\\\'; SELECT 2")).toEqual(["SELECT e'a\\\\'", 'SELECT 2'])
  })

  it('keeps backslashes literal in standard strings', () => {
    expect(pg("SELECT 'C:\\'; SELECT 2")).toEqual(["SELECT 'C:\\'", 'SELECT 2'])
  })

  it('does not read an identifier ending in e as an E string prefix', () => {
    expect(pg("SELECT some'x\\'; SELECT 2")).toEqual(["SELECT some'x\\'", 'SELECT 2'])
  })

  it('handles U& identifiers and strings', () => {
    expect(pg('SELECT U&"d\\0061t;a" FROM t; SELECT U&\'a;b\'; SELECT 3')).toEqual([
      'SELECT U&"d\\0061t;a" FROM t',
      "SELECT U&'a;b'",
      'SELECT 3',
    ])
  })

  it('keeps BEGIN ATOMIC function bodies whole', () => {
    const sql = [
      'CREATE PROCEDURE insert_data(a integer, b integer)',
      'LANGUAGE SQL',
      'BEGIN ATOMIC',
      '  INSERT INTO tbl VALUES (a);',
      '  INSERT INTO tbl VALUES (b);',
      'END;',
      'CALL insert_data(1, 2);',
    ].join('\n')
    expect(splitSql(sql, 'postgres')).toEqual([
      { sql: sql.slice(0, sql.indexOf('END;') + 3), line: 1 },
      { sql: 'CALL insert_data(1, 2)', line: 7 },
    ])
  })

  it('does not let CASE … END inside BEGIN ATOMIC close the body', () => {
    const fn = [
      'CREATE OR REPLACE FUNCTION sign_of(x int) RETURNS text',
      'LANGUAGE sql',
      'BEGIN ATOMIC',
      "  SELECT CASE WHEN x > 0 THEN 'pos' WHEN x < 0 THEN 'neg' ELSE 'zero' END;",
      'END',
    ].join('\n')
    expect(pg(`${fn};\nSELECT sign_of(1);`)).toEqual([fn, 'SELECT sign_of(1)'])
  })

  it('ends a RETURN CASE … END function at its semicolon', () => {
    expect(pg("CREATE FUNCTION f(x int) RETURNS text RETURN CASE WHEN x > 0 THEN 'a' END; SELECT 1")).toEqual([
      "CREATE FUNCTION f(x int) RETURNS text RETURN CASE WHEN x > 0 THEN 'a' END",
      'SELECT 1',
    ])
  })

  it('does not count an argument named begin as a block', () => {
    expect(pg('CREATE FUNCTION f(begin int) RETURNS int RETURN begin; SELECT 1')).toEqual([
      'CREATE FUNCTION f(begin int) RETURNS int RETURN begin',
      'SELECT 1',
    ])
  })

  it('does not split inside parentheses, as psql (CREATE RULE … DO (a; b))', () => {
    const rule = 'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))'
    expect(pg(`${rule};\nSELECT 1`)).toEqual([rule, 'SELECT 1'])
  })
})

describe('splitSql, MySQL and MariaDB', () => {
  const my = (sql: string): string[] => texts(sql, 'mysql')

  it('reads # comments', () => {
    expect(splitSql('# setup; really\nSELECT 1; # trailing;\nSELECT 2', 'mysql')).toEqual([
      { sql: 'SELECT 1', line: 2 },
      { sql: 'SELECT 2', line: 3 },
    ])
  })

  it('needs whitespace or the end of input after -- for a comment', () => {
    expect(my('SELECT 1--1; SELECT 2 -- c; d\n; SELECT 3 --\tx;\n;SELECT 4 --')).toEqual([
      'SELECT 1--1',
      'SELECT 2',
      'SELECT 3',
      'SELECT 4',
    ])
  })

  it('reads backslash escapes in single- and double-quoted strings', () => {
    expect(my("SELECT 'it\\'s;'; SELECT \"say \\\"hi;\\\"\"; SELECT 'C:\\\\'; SELECT 4")).toEqual([
      "SELECT 'it\\'s;'",
      'SELECT "say \\"hi;\\""',
      "SELECT 'C:\\\\'",
      'SELECT 4',
    ])
  })

  it('reads backtick identifiers with doubled backticks', () => {
    expect(my('SELECT `a;b`, `x``;y` FROM `t`; SELECT 2')).toEqual(['SELECT `a;b`, `x``;y` FROM `t`', 'SELECT 2'])
  })

  it('keeps executable comments in the statement and never splits inside them', () => {
    const sql =
      '/*!40101 SET @OLD_CS=@@CHARACTER_SET_CLIENT; SET NAMES utf8 */;\nCREATE TABLE t (id int) /*!50100 ENGINE=InnoDB; */;\n/*M!100100 SET x=1 */;'
    expect(splitSql(sql, 'mysql')).toEqual([
      { sql: '/*!40101 SET @OLD_CS=@@CHARACTER_SET_CLIENT; SET NAMES utf8 */', line: 1 },
      { sql: 'CREATE TABLE t (id int) /*!50100 ENGINE=InnoDB; */', line: 2 },
      { sql: '/*M!100100 SET x=1 */', line: 3 },
    ])
  })

  it('does not treat an optimizer hint as executable but keeps it inside the statement', () => {
    expect(my('SELECT /*+ NO_ICP(t); */ * FROM t; SELECT 2')).toEqual(['SELECT /*+ NO_ICP(t); */ * FROM t', 'SELECT 2'])
  })

  it('follows DELIMITER changes, which are not statements themselves', () => {
    const sql = [
      'DROP PROCEDURE IF EXISTS p;',
      'DELIMITER //',
      'CREATE PROCEDURE p()',
      'BEGIN',
      '  SELECT 1;',
      '  SELECT 2;',
      'END //',
      'DELIMITER ;',
      'CALL p();',
    ].join('\n')
    expect(splitSql(sql, 'mysql')).toEqual([
      { sql: 'DROP PROCEDURE IF EXISTS p', line: 1 },
      { sql: 'CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND', line: 3 },
      { sql: 'CALL p()', line: 9 },
    ])
  })

  it('finds a custom delimiter glued to a word, and any number of statements per delimiter block', () => {
    const sql =
      'delimiter $$\nCREATE FUNCTION f() RETURNS int RETURN 1$$\nSELECT f()$$ SELECT 2$$\nDELIMITER ;\nSELECT 3;'
    expect(my(sql)).toEqual(['CREATE FUNCTION f() RETURNS int RETURN 1', 'SELECT f()', 'SELECT 2', 'SELECT 3'])
  })

  it('ignores a custom delimiter inside strings and comments', () => {
    const sql = "DELIMITER ;;\nSELECT ';;', `;;` /* ;; */ -- ;;\n, 1;;\nDELIMITER ;\nSELECT 2;"
    expect(my(sql)).toEqual(["SELECT ';;', `;;` /* ;; */ -- ;;\n, 1", 'SELECT 2'])
  })

  it('takes the mysqldump trigger layout with DELIMITER ;;', () => {
    const trigger =
      '/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN\n  SET NEW.a = 1;\nEND */'
    const sql = `DELIMITER ;;\n${trigger};;\nDELIMITER ;\nINSERT INTO t VALUES (1);`
    expect(my(sql)).toEqual([trigger, 'INSERT INTO t VALUES (1)'])
  })

  it('keeps CREATE PROCEDURE … BEGIN … END whole without a DELIMITER change', () => {
    const proc = [
      'CREATE DEFINER=`root`@`%` PROCEDURE p(IN n INT)',
      'BEGIN',
      '  DECLARE i INT DEFAULT 0;',
      '  IF n > 0 THEN',
      '    SET i = n;',
      '  ELSEIF n < 0 THEN',
      '    SET i = -n;',
      '  END IF;',
      '  CASE i WHEN 1 THEN SELECT 1; ELSE SELECT 2; END CASE;',
      '  lbl: LOOP',
      '    SET i = i - 1;',
      '    IF i <= 0 THEN LEAVE lbl; END IF;',
      '  END LOOP lbl;',
      '  WHILE i < 3 DO SET i = i + 1; END WHILE;',
      '  REPEAT SET i = i - 1; UNTIL i = 0 END REPEAT;',
      '  SELECT CASE WHEN i = 0 THEN 1 ELSE 0 END AS z;',
      '  BEGIN',
      '    DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END;',
      '    SELECT IF(i > 0, 1, 2);',
      '  END;',
      'END',
    ].join('\n')
    expect(splitSql(`${proc};\nCALL p(1);`, 'mysql')).toEqual([
      { sql: proc, line: 1 },
      { sql: 'CALL p(1)', line: 22 },
    ])
  })

  it('recognises the forms of CREATE … FUNCTION / TRIGGER / EVENT', () => {
    const statements = [
      'CREATE FUNCTION f() RETURNS INT DETERMINISTIC BEGIN DECLARE x INT; SET x = 1; RETURN x; END',
      'CREATE OR REPLACE DEFINER = root@localhost TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; SET NEW.b = 2; END',
      'CREATE DEFINER=CURRENT_USER() EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM log; DELETE FROM tmp; END',
      "CREATE DEFINER='admin'@'10.0.0.1' PROCEDURE q() lbl: BEGIN SELECT 1; END lbl",
      'CREATE AGGREGATE FUNCTION agg(x INT) RETURNS INT BEGIN DECLARE s INT DEFAULT 0; LOOP FETCH GROUP NEXT ROW; SET s = s + x; END LOOP; END',
    ]
    expect(my(statements.map((s) => `${s};`).join('\n'))).toEqual(statements)
  })

  it('splits a body-less trigger and function at their semicolon', () => {
    expect(
      my(
        'CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1; CREATE FUNCTION g() RETURNS INT RETURN 1; SELECT 3',
      ),
    ).toEqual([
      'CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1',
      'CREATE FUNCTION g() RETURNS INT RETURN 1',
      'SELECT 3',
    ])
  })

  it('does not track blocks in other CREATE statements or after a definer on a view', () => {
    expect(
      my(
        'CREATE DEFINER=root@localhost VIEW v AS SELECT `begin` FROM event; SELECT 2; CREATE TABLE begin_end (a int); SELECT 3',
      ),
    ).toEqual([
      'CREATE DEFINER=root@localhost VIEW v AS SELECT `begin` FROM event',
      'SELECT 2',
      'CREATE TABLE begin_end (a int)',
      'SELECT 3',
    ])
  })

  it('treats a qualified name ending in end as a name', () => {
    const proc = 'CREATE PROCEDURE p() BEGIN UPDATE t SET t.end = 1; SELECT 2; END'
    expect(my(`${proc}; SELECT 3`)).toEqual([proc, 'SELECT 3'])
  })

  it('treats BEGIN, BEGIN WORK and START TRANSACTION as plain statements', () => {
    expect(my('BEGIN; INSERT INTO t VALUES (1); COMMIT; BEGIN WORK; START TRANSACTION; ROLLBACK')).toEqual([
      'BEGIN',
      'INSERT INTO t VALUES (1)',
      'COMMIT',
      'BEGIN WORK',
      'START TRANSACTION',
      'ROLLBACK',
    ])
  })

  it('keeps a MariaDB BEGIN NOT ATOMIC block whole', () => {
    const block = 'BEGIN NOT ATOMIC\n  DECLARE x INT DEFAULT 1;\n  IF x THEN SELECT 1; END IF;\nEND'
    expect(my(`${block};\nSELECT 2;`)).toEqual([block, 'SELECT 2'])
  })

  it('treats "…" as a string with backslash escapes, not an identifier', () => {
    expect(my('SELECT "a\\";b"; SELECT 2')).toEqual(['SELECT "a\\";b"', 'SELECT 2'])
  })

  it('only reads DELIMITER as a command where a statement starts', () => {
    expect(my('SELECT delimiter FROM t; SELECT 2')).toEqual(['SELECT delimiter FROM t', 'SELECT 2'])
  })
})

describe('splitSql, SQLite', () => {
  const lite = (sql: string): string[] => texts(sql, 'sqlite')

  it('keeps CREATE TRIGGER … BEGIN … END whole, with CASE … END inside', () => {
    const trigger = [
      'CREATE TEMP TRIGGER IF NOT EXISTS trg AFTER INSERT ON t',
      'WHEN (CASE WHEN new.a > 0 THEN 1 END)',
      'BEGIN',
      "  UPDATE t SET b = CASE WHEN new.a > 10 THEN 'big' ELSE 'small' END WHERE id = new.id;",
      "  INSERT INTO log VALUES ('end;');",
      'END',
    ].join('\n')
    expect(splitSql(`${trigger};\nSELECT 1;`, 'sqlite')).toEqual([
      { sql: trigger, line: 1 },
      { sql: 'SELECT 1', line: 7 },
    ])
  })

  it('reads [bracket] and `backtick` identifiers', () => {
    expect(lite('SELECT [a;b], `c;d`, "e;f" FROM [t]; SELECT 2')).toEqual([
      'SELECT [a;b], `c;d`, "e;f" FROM [t]',
      'SELECT 2',
    ])
  })

  it('treats BEGIN TRANSACTION alone as a normal statement', () => {
    expect(lite('BEGIN TRANSACTION; CREATE TABLE t (a); END TRANSACTION;')).toEqual([
      'BEGIN TRANSACTION',
      'CREATE TABLE t (a)',
      'END TRANSACTION',
    ])
  })

  it('keeps backslashes literal and does not nest comments', () => {
    expect(lite("SELECT 'C:\\'; /* a /* b */ SELECT 2")).toEqual(["SELECT 'C:\\'", 'SELECT 2'])
  })

  it('does not treat # as a comment', () => {
    expect(lite('SELECT 1 # 2; SELECT 3')).toEqual(['SELECT 1 # 2', 'SELECT 3'])
  })
})

describe('splitSql on a large script', () => {
  it('splits 50k generated statements across dialects correctly', () => {
    const parts: string[] = []
    const expected: { sql: string; line: number }[] = []
    let line = 1
    for (let i = 0; i < 50_000; i++) {
      const statement =
        i % 3 === 0
          ? `INSERT INTO items (id, name, note) VALUES (${i}, 'item; ${i}', 'it''s -- not a comment ${'x'.repeat(40)}')`
          : i % 3 === 1
            ? `UPDATE items\nSET note = 'n${i}' /* ; */\nWHERE id = ${i}`
            : `SELECT "col;${i}" FROM items WHERE id = ${i}`
      // Each statement follows its own comment line.
      expected.push({ sql: statement, line: line + 1 })
      const chunk = `-- statement ${i}\n${statement};\n`
      parts.push(chunk)
      line += chunk.split('\n').length - 1
    }
    const script = parts.join('')
    expect(script.length).toBeGreaterThan(4_000_000)
    for (const dialect of DIALECTS) {
      const statements = splitSql(script, dialect)
      expect(statements.length).toBe(50_000)
      expect(statements).toEqual(expected)
    }
  })

  it('handles one huge dollar-quoted body', () => {
    const body = 'SELECT 1; '.repeat(200_000)
    expect(texts(`DO $x$ ${body} $x$; SELECT 2`, 'postgres')).toEqual([`DO $x$ ${body} $x$`, 'SELECT 2'])
  })
})

describe('isCommentOnly', () => {
  it.each(DIALECTS)('is true for whitespace, comments and empty statements in %s', (dialect) => {
    expect(isCommentOnly('', dialect)).toBe(true)
    expect(isCommentOnly('  -- nothing\n/* here */ ;\n;', dialect)).toBe(true)
    expect(isCommentOnly('-- a\nSELECT 1', dialect)).toBe(false)
  })

  it('follows the dialect comment forms', () => {
    expect(isCommentOnly('# note', 'mysql')).toBe(true)
    expect(isCommentOnly('# note', 'postgres')).toBe(false)
    expect(isCommentOnly('/* a /* b */ c */', 'postgres')).toBe(true)
    expect(isCommentOnly('/* a /* b */ c */', 'sqlite')).toBe(false)
  })

  it('counts MySQL executable comments as SQL and DELIMITER lines as nothing', () => {
    expect(isCommentOnly('/*!40101 SET NAMES utf8 */;', 'mysql')).toBe(false)
    expect(isCommentOnly('DELIMITER //\n-- nothing\nDELIMITER ;\n', 'mysql')).toBe(true)
  })
})

describe('leadingKeywords', () => {
  it('returns the first words upper-cased', () => {
    expect(leadingKeywords('create unique index concurrently idx on t (a)', 4)).toEqual([
      'CREATE',
      'UNIQUE',
      'INDEX',
      'CONCURRENTLY',
    ])
    expect(leadingKeywords('CREATE INDEX CONCURRENTLY idx ON t (a)', 3)).toEqual(['CREATE', 'INDEX', 'CONCURRENTLY'])
  })

  it('skips whitespace, comments and a BOM', () => {
    expect(leadingKeywords('\uFEFF -- why\n/* outer /* nested */ */\n# mysql\n  VACUUM\tFULL', 2)).toEqual([
      'VACUUM',
      'FULL',
    ])
    expect(leadingKeywords('ALTER /* x */ SYSTEM SET work_mem = 1', 3)).toEqual(['ALTER', 'SYSTEM', 'SET'])
  })

  it('stops at the first token that is not a word', () => {
    expect(leadingKeywords('CREATE DATABASE "x y"', 4)).toEqual(['CREATE', 'DATABASE'])
    expect(leadingKeywords('SELECT 1', 3)).toEqual(['SELECT'])
    expect(leadingKeywords('(SELECT 1)', 2)).toEqual([])
    expect(leadingKeywords('', 2)).toEqual([])
    expect(leadingKeywords('SELECT a', 0)).toEqual([])
  })

  it('reads into MySQL executable comments', () => {
    expect(leadingKeywords('/*!40101 SET NAMES utf8 */', 2)).toEqual(['SET', 'NAMES'])
    expect(leadingKeywords('/*M!100100 SET x = 1 */', 1)).toEqual(['SET'])
  })
})
