import type { ConsoleCharset, ConsoleColorMode } from './types';

type Env = Readonly<Record<string, string | undefined>>;

/** Colour codes for `mode`: `auto` only on a TTY, and not when `NO_COLOR` is set or `TERM=dumb`. */
export function shouldUseColor(mode: ConsoleColorMode, isTTY: boolean, env: Env = process.env): boolean {
  if (mode === 'always') return true;
  if (mode === 'never' || !isTTY) return false;
  if (env.NO_COLOR) return false;
  return env.TERM !== 'dumb';
}

/**
 * Whether the terminal can be trusted with box drawing, `█` and `✗`: on Windows only the
 * known modern terminals; elsewhere unless the locale is set and is not UTF-8, or `TERM=linux`.
 */
export function detectCharset(env: Env = process.env, platform: string = process.platform): ConsoleCharset {
  if (platform === 'win32') {
    const modern =
      Boolean(env.WT_SESSION) ||
      Boolean(env.TERMINUS_SUBLIME) ||
      env.ConEmuTask === '{cmd::Cmder}' ||
      env.TERM_PROGRAM === 'vscode' ||
      env.TERM === 'xterm-256color' ||
      env.TERM === 'alacritty' ||
      env.TERMINAL_EMULATOR === 'JetBrains-JediTerm';
    return modern ? 'unicode' : 'ascii';
  }
  if (env.TERM === 'linux') return 'ascii';
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  if (locale !== '' && !/utf-?8/i.test(locale)) return 'ascii';
  return 'unicode';
}

/** Error codes of a stdout that went away (reader closed the pipe, terminal hung up). */
const GONE = new Set(['EPIPE', 'EIO', 'ECONNRESET', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);
let guardInstalled = false;

function onStdoutError(err: NodeJS.ErrnoException): void {
  if (err && typeof err.code === 'string' && GONE.has(err.code)) return;
  // Any other error: behave as if this listener were not there (an unhandled 'error' throws).
  if (process.stdout.listenerCount('error') === 1) throw err;
}

/**
 * The default `write`: `process.stdout.write`, unless stdout is closed. Writing to a pipe whose
 * reader has gone emits EPIPE asynchronously on the stream, which would crash the app with an
 * unhandled 'error' event, so the first call installs one listener (per process) that ignores
 * the errors of a vanished stdout.
 */
export function writeToStdout(text: string): void {
  const out = process.stdout;
  if (out.destroyed || out.writableEnded) return;
  if (!guardInstalled) {
    out.on('error', onStdoutError);
    guardInstalled = true;
  }
  out.write(text);
}
