import type { ServiceName } from './stack';

/** Colour codes only on a TTY, and never with NO_COLOR or TERM=dumb. */
export function useColor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

export interface Styles {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  cyan(s: string): string;
}

export function styles(color: boolean): Styles {
  const wrap = (open: number, close: number) => (s: string) => (color ? `\u001b[${open}m${s}\u001b[${close}m` : s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), green: wrap(32, 39), red: wrap(31, 39), cyan: wrap(36, 39) };
}

const LABEL_WIDTH = 'clients-service'.length;
/** Columns the prefix of a service's line takes: `clients-service │ `. */
export const PREFIX_WIDTH = LABEL_WIDTH + 3;

/**
 * Prints the services' lines, each behind its service's name. While a tour step runs, lines
 * are held, then printed grouped by service once the step's own line is complete: the
 * waterfalls come after "… 201 Created", not in the middle of it.
 */
export class ServicePrinter {
  private _held: { service: ServiceName; line: string }[] = [];
  private _holding = false;

  /**
   * @param _width Columns of a printed line: longer lines of plain text (a service's start
   *   lines) are wrapped under the prefix. The waterfalls come fitted already.
   */
  constructor(
    private readonly _write: (text: string) => void,
    private readonly _s: Styles,
    private readonly _width = 80,
  ) {}

  line(service: ServiceName, line: string): void {
    if (this._holding) {
      this._held.push({ service, line });
    } else {
      this._print(service, line);
    }
  }

  /** Holds lines from now on (until {@link release}, which empties what was held). */
  hold(): void {
    this._holding = true;
  }

  /** Resolves true once each service has written a line containing `needle` among the held ones; false after `timeoutMs`. */
  async waitFor(services: readonly ServiceName[], needle: string, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (services.every((svc) => this._held.some((l) => l.service === svc && l.line.includes(needle)))) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Prints what was held, the gateway's lines first (the outer service), and stops holding. */
  release(): void {
    for (const service of ['gateway', 'clients-service'] as const) {
      for (const h of this._held) if (h.service === service) this._print(h.service, h.line);
    }
    this._held = [];
    this._holding = false;
  }

  private _print(service: ServiceName, line: string): void {
    // The services' own log lines start with their name: the prefix says it already.
    const text = (line.startsWith(`${service}: `) ? line.slice(service.length + 2) : line).trimEnd();
    const room = this._width - PREFIX_WIDTH;
    const wrapped = !text.includes('\u001b') && [...text].length > room ? wrapWords(text, room, '  ') : [text];
    for (const part of wrapped)
      this._write(`${this._s.dim(`${service.padStart(LABEL_WIDTH)} │`)}${part === '' ? '' : ` ${part}`}\n`);
  }
}

/**
 * Wraps `text` at spaces to lines of at most `width` columns (a word longer than that stays
 * whole); `indent` starts the continuation lines.
 */
export function wrapWords(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && [...line].length + 1 + [...word].length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}
