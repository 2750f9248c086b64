import { createLogger, loadConfig } from '@jeton/core';
import { ModelRegistry, parseModelConfig } from '@jeton/runtime';
import { type ServerRoles, startServer } from './server.ts';

/**
 * Runs the marketplace (or one role of it) until SIGINT or SIGTERM: configuration from the
 * environment, structured logs, a clean shutdown (running attempts get a few seconds to end; the rest
 * are handed back to the queue). Used by `npm start`, `jeton serve` and `jeton worker`.
 */
export async function runMain(roles: ServerRoles = {}): Promise<void> {
  const loaded = loadConfig();
  if (!loaded.ok) {
    console.error(`Invalid configuration (see .env.example):\n  ${loaded.errors.join('\n  ')}`);
    process.exit(2);
  }
  const models = parseModelConfig(process.env);
  if (!models.ok) {
    console.error(`Invalid model providers (see .env.example):\n  ${models.errors.join('\n  ')}`);
    process.exit(2);
  }
  const logger = createLogger(loaded.config.logLevel);
  for (const warning of models.warnings) logger.warn(warning);
  const registry = new ModelRegistry(models.config);
  logger.info(
    { models: registry.list().map((m) => m.id), default: registry.defaultModel },
    'model providers',
  );
  const running = await startServer(loaded.config, logger, { models: registry, ...roles }).catch(
    (err: unknown) => {
      logger.fatal({ err }, 'could not start');
      process.exit(1);
    },
  );

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
