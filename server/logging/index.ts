/**
 * Structured logging. One logger per process, JSON lines by default (`LOG_FORMAT=json`) or a
 * readable single line per event (`LOG_FORMAT=text`), at `LOG_LEVEL`.
 *
 * Secrets never reach the log: the fields that may carry them are redacted by path.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config/index.ts';

export type Logger = PinoLogger;

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go; standard output when absent. */
  destination?: DestinationStream;
}

const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  '*.password',
  '*.secret',
  '*.token',
];

/**
 * Creates the process logger.
 *
 * @example
 * const logger = createLogger({ level: 'info', format: 'text' });
 * logger.info({ port: 8080 }, 'listening');
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, redact: redactedPaths };
  if (options.format === 'text') {
    const stream = pretty({
      colorize: false,
      sync: true,
      singleLine: true,
      translateTime: 'SYS:standard',
      destination: options.destination ?? 1,
    });
    return pino(base, stream);
  }
  return options.destination ? pino(base, options.destination) : pino(base);
}
