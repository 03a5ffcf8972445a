import { SpanStatusCode } from '@opentelemetry/api';
import type { AttributeValue } from '@opentelemetry/api';
import { hrTimeToMicroseconds } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { ConsoleCharset, RenderWaterfallOptions } from './types';

/** Narrowest layout drawn; a smaller `width` is drawn at this width. */
const MIN_WIDTH = 40;
const DEFAULT_WIDTH = 80;
/** Left margin of span rows (the header starts at column 0). */
const MARGIN = '  ';
/** Width of the duration column (`123.4 ms`, `12.35 s`, `10m 05s`). */
const DURATION_WIDTH = 8;
/** Columns of a span row besides its label and bar: margin, ' ', marker, ' ', duration, '  '. */
const ROW_FIXED = MARGIN.length + 1 + 1 + 1 + DURATION_WIDTH + 2;

/** Tags shown on a span's detail line, in this order; the first key of a group that is set wins. */
const DETAIL_TAGS: readonly (readonly string[])[] = [
  ['http.response.status_code', 'http.status_code'],
  ['http.route'],
  ['bcrypt.work_factor'],
  ['db.response.status_code'],
  ['error.type'],
];
/** The SQL statement gets a line of its own: it is the longest and the most telling tag. */
const STATEMENT_TAGS = ['db.query.text', 'db.statement'];
/** A statement wraps onto this many lines at most before it is cut. */
const STATEMENT_LINES = 3;
const HTTP_STATUS_TAGS = ['http.response.status_code', 'http.status_code'];

interface Glyphs {
  error: string;
  ok: string;
  /** Marker of an error span in its row; one column wide. */
  rowError: string;
  bar: string;
  track: string;
  tee: string;
  elbow: string;
  pipe: string;
  blank: string;
  ellipsis: string;
}

const UNICODE: Glyphs = {
  error: '✗',
  ok: '✓',
  rowError: '✗',
  bar: '█',
  track: '·',
  tee: '├─ ',
  elbow: '└─ ',
  pipe: '│  ',
  blank: '   ',
  ellipsis: '…',
};

const ASCII: Glyphs = {
  error: 'ERR',
  ok: 'OK',
  rowError: 'X',
  bar: '#',
  track: '.',
  tee: '|- ',
  elbow: '`- ',
  pipe: '|  ',
  blank: '   ',
  ellipsis: '...',
};

type Style = 'red' | 'green' | 'dim' | 'bold';
const SGR: Record<Style, [string, string]> = {
  red: ['\u001b[31m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  bold: ['\u001b[1m', '\u001b[22m'],
};

interface Node {
  span: ReadableSpan;
  spanId: string;
  /** Microseconds since the epoch. */
  start: number;
  end: number;
  error: boolean;
  children: Node[];
}

interface Row {
  node: Node;
  /** Tree guide before the name (`├─ `, `│  └─ `...). */
  guide: string;
  /** Tree guide before the detail lines under the name. */
  detailGuide: string;
}

/**
 * Renders finished spans as a waterfall: per trace, a header line (status, root name,
 * HTTP status, duration, trace id), then the span tree on a shared time axis with the
 * key tags under each span. Spans of several traces give several blocks, separated by
 * a blank line, earliest trace first. Pure: no I/O, no clock, no environment.
 */
export function renderWaterfall(spans: readonly ReadableSpan[], opts: RenderWaterfallOptions = {}): string {
  const width = Math.max(MIN_WIDTH, Math.floor(opts.width ?? DEFAULT_WIDTH) || DEFAULT_WIDTH);
  const ctx: RenderContext = {
    width,
    color: opts.color ?? false,
    glyphs: glyphsFor(opts.charset ?? 'unicode'),
    jaegerUiUrl: opts.jaegerUiUrl,
  };
  const byTrace = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const traceId = span.spanContext().traceId;
    let list = byTrace.get(traceId);
    if (!list) byTrace.set(traceId, (list = []));
    list.push(span);
  }
  const blocks = [...byTrace.entries()]
    .map(([traceId, list]) => ({ traceId, forest: buildForest(list) }))
    .sort((a, b) => a.forest.start - b.forest.start);
  return blocks.map((b) => renderTrace(b.traceId, b.forest, ctx)).join('\n');
}

interface RenderContext {
  width: number;
  color: boolean;
  glyphs: Glyphs;
  jaegerUiUrl: string | undefined;
}

function glyphsFor(charset: ConsoleCharset): Glyphs {
  return charset === 'ascii' ? ASCII : UNICODE;
}

interface Forest {
  roots: Node[];
  /** The span with no parent or a remote parent, if it is here. */
  localRoot: Node | undefined;
  start: number;
  end: number;
}

function buildForest(spans: readonly ReadableSpan[]): Forest {
  const nodes = new Map<string, Node>();
  for (const span of spans) {
    const spanId = span.spanContext().spanId;
    if (nodes.has(spanId)) continue;
    const start = hrTimeToMicroseconds(span.startTime);
    const end = Math.max(start, hrTimeToMicroseconds(span.endTime));
    nodes.set(spanId, { span, spanId, start, end, error: span.status.code === SpanStatusCode.ERROR, children: [] });
  }
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parentId = node.span.parentSpanContext?.spanId;
    const parent = parentId !== undefined && parentId !== node.spanId ? nodes.get(parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  // A parent cycle (only from a broken producer) would hide its spans: show them as roots.
  const seen = new Set<Node>();
  const visit = (n: Node): void => {
    seen.add(n);
    for (const c of n.children) if (!seen.has(c)) visit(c);
  };
  roots.forEach(visit);
  for (const node of nodes.values()) {
    if (seen.has(node)) continue;
    const parent = nodes.get(node.span.parentSpanContext?.spanId ?? '');
    if (parent) parent.children.splice(parent.children.indexOf(node), 1);
    roots.push(node);
    visit(node);
  }
  const byStart = (a: Node, b: Node): number =>
    a.start - b.start || a.end - b.end || (a.span.name < b.span.name ? -1 : 1);
  for (const node of nodes.values()) node.children.sort(byStart);
  roots.sort(byStart);
  let start = Infinity;
  let end = -Infinity;
  for (const node of nodes.values()) {
    start = Math.min(start, node.start);
    end = Math.max(end, node.end);
  }
  return { roots, localRoot: roots.find((n) => isLocalRoot(n.span)), start, end };
}

/** A span with no parent, or whose parent lives in another process. */
export function isLocalRoot(span: ReadableSpan): boolean {
  const parent = span.parentSpanContext;
  return parent === undefined || parent.isRemote === true;
}

function renderTrace(traceId: string, forest: Forest, ctx: RenderContext): string {
  const lines = [renderHeader(traceId, forest, ctx)];
  const rows: Row[] = [];
  const walk = (node: Node, ancestors: string, top: boolean, last: boolean): void => {
    const g = ctx.glyphs;
    const guide = top ? '' : ancestors + (last ? g.elbow : g.tee);
    const below = top ? '' : ancestors + (last ? g.blank : g.pipe);
    rows.push({ node, guide, detailGuide: below + (node.children.length > 0 ? g.pipe : g.blank) });
    node.children.forEach((c, i) => walk(c, below, false, i === node.children.length - 1));
  };
  for (const root of forest.roots) walk(root, '', true, true);

  const minBar = Math.max(10, Math.floor(ctx.width * 0.35));
  const maxLabel = ctx.width - ROW_FIXED - minBar;
  const needed = Math.max(...rows.map((r) => textWidth(r.guide) + textWidth(clean(r.node.span.name))));
  const labelWidth = Math.min(needed, maxLabel);
  const barWidth = ctx.width - ROW_FIXED - labelWidth;
  const total = forest.end - forest.start;

  for (const { node, guide, detailGuide } of rows) {
    const name = truncate(clean(node.span.name), Math.max(1, labelWidth - textWidth(guide)), ctx.glyphs.ellipsis);
    const label = truncate(guide + name, labelWidth, ctx.glyphs.ellipsis);
    const pad = ' '.repeat(labelWidth - textWidth(label));
    const marker = node.error ? paint(ctx, 'red', ctx.glyphs.rowError) : ' ';
    const duration = formatDuration((node.end - node.start) / 1000).padStart(DURATION_WIDTH);
    const labelText = node.error ? paint(ctx, 'red', label) : label;
    lines.push(
      `${MARGIN}${labelText}${pad} ${marker} ${duration}  ${renderBar(node, forest.start, total, barWidth, ctx)}`,
    );

    const room = ctx.width - MARGIN.length - textWidth(detailGuide);
    if (room < 4) continue;
    const tags = detailTags(node.span);
    if (tags.length > 0) {
      lines.push(`${MARGIN}${detailGuide}${paint(ctx, 'dim', truncate(tags.join('  '), room, ctx.glyphs.ellipsis))}`);
    }
    const statement = firstAttribute(node.span, STATEMENT_TAGS);
    if (statement !== undefined) {
      for (const part of wrap(statement, room, STATEMENT_LINES, ctx.glyphs.ellipsis)) {
        lines.push(`${MARGIN}${detailGuide}${paint(ctx, 'dim', part)}`);
      }
    }
  }
  if (ctx.jaegerUiUrl) lines.push(`  view: ${ctx.jaegerUiUrl.replace(/\/+$/, '')}/trace/${traceId}`);
  return lines.join('\n') + '\n';
}

function renderHeader(traceId: string, forest: Forest, ctx: RenderContext): string {
  const g = ctx.glyphs;
  const head = forest.localRoot ?? forest.roots[0];
  const name = clean(head?.span.name ?? '');
  const status = head ? firstAttribute(head.span, HTTP_STATUS_TAGS) : undefined;
  // A 4xx answer leaves a server span's status unset (semantic conventions), yet the request failed.
  const error = (head?.error ?? false) || Number(status) >= 400;
  const marker = error ? g.error : g.ok;
  const durationMs = forest.localRoot
    ? (forest.localRoot.end - forest.localRoot.start) / 1000
    : (forest.end - forest.start) / 1000;
  const failed = [...allNodes(forest.roots)].filter((n) => n.error && n !== head).length;

  const tokens: { text: string; style?: Style }[] = [];
  if (status !== undefined) tokens.push({ text: status, style: error ? 'red' : undefined });
  tokens.push({ text: formatDuration(durationMs) });
  if (!error && failed > 0) tokens.push({ text: `${failed} failed span${failed === 1 ? '' : 's'}`, style: 'red' });
  if (!forest.localRoot) tokens.push({ text: 'partial', style: 'dim' });
  const restWidth = (id: string): number =>
    tokens.reduce((w, t) => w + 2 + textWidth(t.text), 0) + 2 + textWidth(`trace ${id}`);
  const fixed = textWidth(marker) + 1;
  let id = traceId;
  if (ctx.width - fixed - restWidth(id) < 12) id = traceId.slice(0, 8) + g.ellipsis;
  const nameWidth = Math.max(1, ctx.width - fixed - restWidth(id));
  tokens.push({ text: `trace ${id}`, style: 'dim' });
  const nameText = truncate(name, nameWidth, g.ellipsis);

  const plain = `${marker} ${nameText}` + tokens.map((t) => `  ${t.text}`).join('');
  if (textWidth(plain) > ctx.width) return truncate(plain, ctx.width, g.ellipsis);
  return (
    `${paint(ctx, error ? 'red' : 'green', marker)} ${paint(ctx, 'bold', nameText)}` +
    tokens.map((t) => `  ${t.style ? paint(ctx, t.style, t.text) : t.text}`).join('')
  );
}

function renderBar(node: Node, traceStart: number, total: number, barWidth: number, ctx: RenderContext): string {
  let from = 0;
  let to: number;
  if (total > 0) {
    from = Math.min(barWidth - 1, Math.floor(((node.start - traceStart) / total) * barWidth));
    to = Math.min(barWidth, Math.max(from + 1, Math.round(((node.end - traceStart) / total) * barWidth)));
  } else {
    to = 1;
  }
  const { bar, track } = ctx.glyphs;
  const before = track.repeat(from);
  const after = track.repeat(barWidth - to);
  const body = bar.repeat(to - from);
  return (
    (before ? paint(ctx, 'dim', before) : '') +
    (node.error ? paint(ctx, 'red', body) : body) +
    (after ? paint(ctx, 'dim', after) : '')
  );
}

function* allNodes(nodes: readonly Node[]): Generator<Node> {
  for (const n of nodes) {
    yield n;
    yield* allNodes(n.children);
  }
}

function detailTags(span: ReadableSpan): string[] {
  const out: string[] = [];
  for (const group of DETAIL_TAGS) {
    for (const key of group) {
      const value = formatValue(span.attributes[key]);
      if (value === undefined) continue;
      // The route is noise when the span name already says it (`POST /clients`).
      if (key === 'http.route' && clean(span.name).includes(value)) break;
      out.push(`${key}=${value}`);
      break;
    }
  }
  return out;
}

function firstAttribute(span: ReadableSpan, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = formatValue(span.attributes[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

function formatValue(value: AttributeValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = clean(Array.isArray(value) ? value.join(',') : String(value));
  return text === '' ? undefined : text;
}

/** One line of printable text: control and bidi characters become spaces, runs of space one. */
function clean(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `0.42 ms`, `12.3 ms`, `1.25 s`, `10m 05s`: at most 8 columns. */
function formatDuration(ms: number): string {
  if (!(ms >= 0)) return '0 ms';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 999.95) return `${ms.toFixed(1)} ms`;
  const s = ms / 1000;
  if (s < 59.995) return `${s.toFixed(2)} s`;
  if (s < 6000) return `${Math.floor(s / 60)}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  const h = s / 3600;
  return h < 10000 ? `${h.toFixed(1)} h` : `${Math.round(h)} h`;
}

function paint(ctx: RenderContext, style: Style, text: string): string {
  if (!ctx.color || text === '') return text;
  const [on, off] = SGR[style];
  return on + text + off;
}

/** Columns a code point takes in a terminal: 0 for combining marks, 2 for wide (CJK, emoji). */
function charWidth(cp: number): number {
  if (cp < 0x300) return 1;
  if (cp <= 0x36f || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f) || cp === 0x20e3) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** Terminal columns of `text` (which holds no escape codes). */
function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch.codePointAt(0) ?? 0);
  return w;
}

/** `text` broken at spaces into lines of `max` columns, at most `maxLines`, the last cut if need be. */
function wrap(text: string, max: number, maxLines: number, ellipsis: string): string[] {
  const out: string[] = [];
  let line = '';
  const words = text.split(/\s+/).filter((w) => w !== '');
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = line === '' ? word : `${line} ${word}`;
    if (textWidth(next) <= max || line === '') {
      line = next;
      continue;
    }
    if (out.length === maxLines - 1) return [...out, truncate(`${line} ${words.slice(i).join(' ')}`, max, ellipsis)];
    out.push(line);
    line = word;
  }
  if (line !== '') out.push(truncate(line, max, ellipsis));
  return out.map((l) => truncate(l, max, ellipsis));
}

/** `text` cut to `max` columns, ending in `ellipsis` when cut. */
function truncate(text: string, max: number, ellipsis: string): string {
  if (textWidth(text) <= max) return text;
  const ew = textWidth(ellipsis);
  if (max <= ew) return ellipsis.slice(0, Math.max(0, max));
  let out = '';
  let w = 0;
  for (const ch of text) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (w + cw > max - ew) break;
    out += ch;
    w += cw;
  }
  return out + ellipsis;
}
