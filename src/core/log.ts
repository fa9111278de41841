// A small leveled logger writing single lines to stderr.
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  level: LogLevel;
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string, err?: unknown): void;
}

export function createLogger(level: LogLevel = "info", write: (line: string) => void = (l) => process.stderr.write(l + "\n")): Logger {
  const logger: Logger = {
    level,
    debug: (m) => ORDER[logger.level] <= 10 && write(`[stratus] ${m}`),
    info: (m) => ORDER[logger.level] <= 20 && write(`[stratus] ${m}`),
    warn: (m) => ORDER[logger.level] <= 30 && write(`[stratus] warning: ${m}`),
    error: (m, err) => {
      if (ORDER[logger.level] > 40) return;
      write(`[stratus] error: ${m}`);
      if (err instanceof Error && err.stack) write(err.stack);
    },
  };
  return logger;
}

export const LOG_LEVELS = Object.keys(ORDER) as LogLevel[];
