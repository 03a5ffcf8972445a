/*
 * Why a hand-written tokenizer: the statement text recorded on a span must not carry any value.
 * Bound parameters are easy (they are never read), but applications also write values into the
 * SQL itself (`WHERE email = 'a@b.c'`, `LIMIT 10`, `$$secret$$`). The upstream helpers do not
 * help here: @opentelemetry/sql-common only adds sqlcommenter comments, instrumentation-pg records
 * the text as written, and instrumentation-mysql2 either formats the bound values INTO the text
 * (its default) or masks with two regular expressions that miss escaped quotes, E'' and
 * dollar-quoted strings, hex/bit literals and decimals, and mask inside identifiers and comments.
 *
 * So this module reads the statement the way the server's lexer does (strings, quoted
 * identifiers, comments, numbers, placeholders), replaces every literal with `?`, keeps
 * placeholders (`$1`, `?`) and identifiers (`"Name"`, `` `name` ``) as written, drops comments
 * (free text: sqlcommenter tags, notes, sometimes values) and collapses whitespace.
 * When in doubt (an unterminated string or quoted name) it masks to the end of the statement:
 * a truncated text is better than a leaked value.
 */

import type { SqlAnalysis, SqlDialect } from './types';

type TokenKind = 'word' | 'identifier' | 'literal' | 'placeholder' | 'symbol';

interface Token {
  kind: TokenKind;
  /** Source text (for literals: unused, they print as `?`). */
  text: string;
  /** Whitespace or a comment came before this token. */
  spaced: boolean;
}

const PLACEHOLDER = '?';

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}

/** MySQL also starts a `--` comment before a control character (its lexer: my_isspace || my_iscntrl). */
function isControl(c: string): boolean {
  const code = c.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isWordStart(c: string | undefined): boolean {
  if (c === undefined) return false;
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c.charCodeAt(0) >= 0x80;
}

function isWordPart(c: string | undefined): boolean {
  return isWordStart(c) || isDigit(c) || c === '$';
}

/** Index just past a quoted run starting at `start` (the opening quote), or -1 if unterminated. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2; // doubled quote: an escaped quote, the run goes on
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return -1;
}

/** Index just past a block comment starting at `start` (`/*`); PostgreSQL nests them, MySQL does not. */
function skipBlockComment(sql: string, start: number, nested: boolean): number {
  let depth = 1;
  let i = start + 2;
  while (i < sql.length) {
    if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0 || !nested) return i;
      continue;
    }
    if (nested && sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
      continue;
    }
    i++;
  }
  return sql.length;
}

/** Index just past a number literal starting at `start` (a digit, or `.` before a digit). */
function skipNumber(sql: string, start: number): number {
  let i = start;
  const radix = sql[i] === '0' ? sql[i + 1]?.toLowerCase() : undefined;
  if (radix === 'x' || radix === 'b' || radix === 'o') {
    i += 2;
  } else {
    while (isDigit(sql[i]) || sql[i] === '_') i++;
    if (sql[i] === '.') {
      i++;
      while (isDigit(sql[i]) || sql[i] === '_') i++;
    }
    const e = sql[i];
    if (
      (e === 'e' || e === 'E') &&
      (isDigit(sql[i + 1]) || ((sql[i + 1] === '+' || sql[i + 1] === '-') && isDigit(sql[i + 2])))
    ) {
      i += 2;
      while (isDigit(sql[i])) i++;
    }
  }
  // Hex/octal/binary digits, and any junk glued to the number (`12abc`), stay inside the literal.
  while (isWordPart(sql[i])) i++;
  return i;
}

/** `$tag$` opening a dollar-quoted string at `start`, or undefined. */
function dollarTag(sql: string, start: number): string | undefined {
  let i = start + 1;
  if (sql[i] === '$') return '$$';
  if (!isWordStart(sql[i])) return undefined;
  while (isWordStart(sql[i]) || isDigit(sql[i])) i++;
  return sql[i] === '$' ? sql.slice(start, i + 1) : undefined;
}

/** Words that glue to a following string as one literal: E'..', X'..', B'..', N'..' (and MySQL `_charset'..'`). */
function literalPrefix(word: string, dialect: SqlDialect): 'plain' | 'backslash' | undefined {
  const w = word.toLowerCase();
  if (dialect === 'postgresql') {
    if (w === 'e') return 'backslash';
    if (w === 'x' || w === 'b' || w === 'n') return 'plain';
    return undefined;
  }
  if (w === 'x' || w === 'b' || w === 'n' || w.startsWith('_')) return 'backslash';
  return undefined;
}

/** Splits a statement into tokens, the way the server's lexer would (literals kept as one token). */
export function tokenize(sql: string, dialect: SqlDialect): Token[] {
  const pg = dialect === 'postgresql';
  const tokens: Token[] = [];
  let spaced = false;
  let i = 0;
  const push = (kind: TokenKind, text: string): void => {
    tokens.push({ kind, text, spaced });
    spaced = false;
  };
  /** A literal running to `end`; -1 (unterminated) masks the rest of the statement. */
  const pushLiteral = (end: number): void => {
    push('literal', PLACEHOLDER);
    i = end === -1 ? sql.length : end;
  };

  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];

    if (isSpace(c)) {
      spaced = true;
      i++;
      continue;
    }
    // Comments: `-- ...` (MySQL: only when followed by whitespace, a control character or the
    // end), MySQL `# ...`, `/* ... */`.
    const afterDashes = sql[i + 2];
    if (
      (c === '-' &&
        next === '-' &&
        (pg || afterDashes === undefined || isSpace(afterDashes) || isControl(afterDashes))) ||
      (!pg && c === '#')
    ) {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol + 1;
      spaced = true;
      continue;
    }
    if (c === '/' && next === '*') {
      i = skipBlockComment(sql, i, pg);
      spaced = true;
      continue;
    }
    // Strings. PostgreSQL: '' is the only escape (standard_conforming_strings); MySQL: also \'.
    if (c === "'") {
      pushLiteral(skipQuoted(sql, i, "'", !pg));
      continue;
    }
    // Double quotes: an identifier in PostgreSQL, a string in MySQL (unless ANSI_QUOTES, and
    // masking a name is the safe mistake). Backticks: a MySQL identifier.
    if (c === '"' || c === '`') {
      if (c === '"' && !pg) {
        pushLiteral(skipQuoted(sql, i, '"', true));
        continue;
      }
      const end = skipQuoted(sql, i, c, false);
      if (end === -1) pushLiteral(-1);
      else {
        push('identifier', sql.slice(i, end));
        i = end;
      }
      continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(next) && !gluedToName(tokens, spaced))) {
      pushLiteral(skipNumber(sql, i));
      continue;
    }
    if (c === '$' && pg) {
      if (isDigit(next)) {
        let end = i + 1;
        while (isDigit(sql[end])) end++;
        push('placeholder', sql.slice(i, end));
        i = end;
        continue;
      }
      const tag = dollarTag(sql, i);
      if (tag) {
        const close = sql.indexOf(tag, i + tag.length);
        pushLiteral(close === -1 ? -1 : close + tag.length);
        continue;
      }
    }
    if (c === '?') {
      push('placeholder', c);
      i++;
      continue;
    }
    if (isWordStart(c) || (c === '$' && !pg)) {
      let end = i + 1;
      while (isWordPart(sql[end])) end++;
      const word = sql.slice(i, end);
      const prefix = sql[end] === "'" ? literalPrefix(word, dialect) : undefined;
      if (prefix) {
        i = end;
        pushLiteral(skipQuoted(sql, i, "'", prefix === 'backslash' || !pg));
        continue;
      }
      // PostgreSQL U&'...' (Unicode escapes): one literal.
      if (pg && (word === 'U' || word === 'u') && sql[end] === '&' && sql[end + 1] === "'") {
        i = end + 1;
        pushLiteral(skipQuoted(sql, i, "'", false));
        continue;
      }
      push('word', word);
      i = end;
      continue;
    }
    push('symbol', c);
    i++;
  }
  return tokens;
}

/** `t.5` is not a number: a `.` glued to a name or `)` continues that expression. */
function gluedToName(tokens: Token[], spaced: boolean): boolean {
  const last = tokens[tokens.length - 1];
  if (!last || spaced) return false;
  return last.kind === 'word' || last.kind === 'identifier' || (last.kind === 'symbol' && last.text === ')');
}

/**
 * The tokens as text, one blank where the statement had whitespace or a comment. One MySQL
 * subtlety: two dashes before a blank, a control character or the end start a comment there,
 * but not before anything else (`5--3` is two minus signs). When a comment came right after such
 * dashes (`a --#note` then `1` on the next line), the blank that replaces it would turn them into
 * a comment the next time the text is read, and sanitizing again would drop the rest. So after
 * `--` the next token is written without the blank (`a --?`, the same minus signs), a control
 * character there is left out, and dashes that end the text are cut to one (the statement is
 * malformed anyway). Sanitizing stays idempotent and the text never grows.
 */
function render(tokens: Token[], dialect: SqlDialect): string {
  const mysql = dialect === 'mysql';
  let out = '';
  let dashes = 0; // `-` tokens the text ends with, side by side (counted: reading the text back would be linear)
  for (const t of tokens) {
    if (mysql && dashes >= 2) {
      if (isControl(t.text)) continue;
    } else if (t.spaced && out.length > 0) {
      out += ' ';
      dashes = 0;
    }
    out += t.text;
    dashes = t.kind === 'symbol' && t.text === '-' ? dashes + 1 : 0;
  }
  return mysql && dashes >= 2 ? out.slice(0, out.length - dashes + 1) : out;
}

/**
 * The statement with every literal replaced by `?`, placeholders and identifiers kept, comments
 * dropped and whitespace collapsed. Idempotent.
 */
export function sanitizeSql(sql: string, dialect: SqlDialect): string {
  return render(tokenize(sql, dialect), dialect);
}

const COLLECTION_KEYWORDS = new Set(['FROM', 'INTO', 'UPDATE', 'TABLE', 'TRUNCATE']);
/** Words between the keyword and the table name: `FROM ONLY t`, `CREATE TABLE IF NOT EXISTS t`. */
const SKIPPED_BEFORE_NAME = new Set(['ONLY', 'IF', 'NOT', 'EXISTS', 'LOW_PRIORITY', 'IGNORE', 'TABLE']);
/** After these, UPDATE is not a statement: `FOR UPDATE`, `ON DUPLICATE KEY UPDATE`, `ON UPDATE CASCADE`. */
const NOT_BEFORE_UPDATE = new Set(['FOR', 'KEY', 'ON', 'NO']);
const DDL_WITH_TABLE = new Set([
  'CREATE',
  'ALTER',
  'DROP',
  'TRUNCATE',
  'LOCK',
  'ANALYZE',
  'VACUUM',
  'OPTIMIZE',
  'RENAME',
]);
/** Words that cannot be a table name (a sub-select, VALUES, ...). */
const NOT_A_NAME = new Set([
  'SELECT',
  'VALUES',
  'WITH',
  'SET',
  'WHERE',
  'LATERAL',
  'UNNEST',
  'DEFAULT',
  'ROWS',
  'ONLY',
  'DUAL',
]);

/**
 * The sanitized text, and what the semantic conventions want from it: `db.operation.name` (the
 * first keyword, upper-cased) and `db.collection.name` (the first table after FROM / INTO /
 * UPDATE / TABLE at the top level, as written, schema included; none when it is a sub-select or a
 * function).
 */
export function analyzeSql(sql: string, dialect: SqlDialect): SqlAnalysis {
  const tokens = tokenize(sql, dialect);
  const text = render(tokens, dialect);
  const first = tokens.find((t) => t.kind === 'word');
  const operationName = first?.text.toUpperCase();
  return { text, operationName, collectionName: findCollection(tokens, operationName) };
}

function findCollection(tokens: Token[], operationName: string | undefined): string | undefined {
  let depth = 0;
  // `TABLE` both starts a name and is skipped before one (`CREATE TABLE IF NOT EXISTS t`), so in
  // `TABLE TABLE TABLE ... a.b.c.'x'` every keyword would skip the same run and read the same
  // failing name again: quadratic time on a hostile statement. The last run skipped and the last
  // name read are remembered, which keeps the search linear.
  let run = { start: -1, end: -1 };
  let read: { at: number; name: NameAt } | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'symbol') {
      if (t.text === '(') depth++;
      else if (t.text === ')') depth = Math.max(0, depth - 1);
      continue;
    }
    if (depth !== 0 || t.kind !== 'word') continue;
    const keyword = t.text.toUpperCase();
    if (!COLLECTION_KEYWORDS.has(keyword)) continue;
    const previous = tokens[i - 1];
    if (keyword === 'UPDATE' && previous?.kind === 'word' && NOT_BEFORE_UPDATE.has(previous.text.toUpperCase()))
      continue;
    if ((keyword === 'TABLE' || keyword === 'TRUNCATE') && !(operationName && DDL_WITH_TABLE.has(operationName)))
      continue;
    // A start inside the run skipped last time ends where that run ended.
    if (!(i + 1 >= run.start && i + 1 <= run.end)) run = { start: i + 1, end: skipWords(tokens, i + 1) };
    if (read?.at !== run.end) read = { at: run.end, name: readName(tokens, run.end) };
    // `FROM generate_series(...)`: a function, not a table.
    if (read.name.name !== undefined && !(keyword === 'FROM' && read.name.call)) return read.name.name;
  }
  return undefined;
}

/** Past the words that may come between a keyword and its table name (`IF NOT EXISTS`, `ONLY`). */
function skipWords(tokens: Token[], start: number): number {
  let i = start;
  while (tokens[i]?.kind === 'word' && SKIPPED_BEFORE_NAME.has(tokens[i]!.text.toUpperCase())) i++;
  return i;
}

interface NameAt {
  /** The name as written, or undefined when none starts here. */
  name: string | undefined;
  /** An opening parenthesis follows it (a function call). */
  call: boolean;
}

/** A possibly qualified name (`s.t`, `"S"."T"`, `` `db`.`t` ``) starting at `start`. */
function readName(tokens: Token[], start: number): NameAt {
  let i = start;
  const parts: string[] = [];
  for (;;) {
    const t = tokens[i];
    if (!t || (t.kind !== 'word' && t.kind !== 'identifier')) return { name: undefined, call: false };
    if (t.kind === 'word' && parts.length === 0 && NOT_A_NAME.has(t.text.toUpperCase()))
      return { name: undefined, call: false };
    parts.push(t.text);
    i++;
    const dot = tokens[i];
    if (dot?.kind === 'symbol' && dot.text === '.' && !dot.spaced) {
      i++;
      continue;
    }
    break;
  }
  const after = tokens[i];
  return { name: parts.join('.'), call: after?.kind === 'symbol' && after.text === '(' };
}
