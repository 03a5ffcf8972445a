export { ConsoleWaterfallExporter, CONSOLE_INVALID_OPTION } from './exporter';
export { renderWaterfall } from './render';
export type {
  ConsoleCharset,
  ConsoleColorMode,
  ConsoleWaterfallExporterOptions,
  ConsoleWaterfallExporterStats,
  RenderWaterfallOptions,
} from './types';
