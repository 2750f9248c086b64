import { createLogger, loadConfig } from '@jeton/core';
import { startServer } from './server.ts';

/**
 * Runs the marketplace until SIGINT or SIGTERM: configuration from the environment, structured logs,
 * a clean shutdown. Used by `npm start` and `jeton serve`.
 */
export async function runMain(): Promise<void> {
  const loaded = loadConfig();
  if (!loaded.ok) {
    console.error(`Invalid configuration (see .env.example):\n  ${loaded.errors.join('\n  ')}`);
    process.exit(2);
  }
  const logger = createLogger(loaded.config.logLevel);
  const running = await startServer(loaded.config, logger).catch((err: unknown) => {
    logger.fatal({ err }, 'could not start');
    process.exit(1);
  });

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      running.close().then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'unclean shutdown');
          process.exit(1);
        },
      );
    });
  }
}
