/** Graceful shutdown on SIGTERM/SIGINT: stop intake, let running work finish within the grace, flush, exit 0. */
import type winston from 'winston';

export type Stopper = () => Promise<void>;

export function installShutdown(logger: winston.Logger, stop: Stopper, opts: { exit?: boolean } = {}): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now`, { stored: false });
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal} received: shutting down gracefully`, { stored: false });
    stop().then(
      () => opts.exit !== false && process.exit(0),
      (err: unknown) => {
        logger.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`, { stored: false });
        if (opts.exit !== false) process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}

/** Last-resort handlers: an unexpected error is logged with context instead of killing a worker mid-job. */
export function installCrashGuards(logger: winston.Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error(`unhandled rejection: ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`);
  });
}
