/** The logging the Mongo toolkit needs; the core passes its own logger, tests a spy. */
export interface MongoLogger {
  warn(msg: string, meta?: Record<string, unknown>): void;
  info(msg: string, meta?: Record<string, unknown>): void;
}

export const consoleLogger: MongoLogger = {
  warn: (msg, meta) => console.warn(msg, meta ?? ''),
  info: (msg, meta) => console.info(msg, meta ?? ''),
};
