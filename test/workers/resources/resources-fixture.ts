/** Resources harness: Sluice in-process on its own core database and prefix, with its own resources database. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Pool } from 'mysql2/promise';
import { ResourcesDb } from '../../../workers/resources/resources.database';
import { ensureResourcesDb } from '../../../workers/resources/migrate';
import { seedExamples, type SeedSizes } from '../../../workers/resources/examples.seed';
import { ResourceCatalog } from '../../../workers/resources/resource-catalog';
import { ResourceService } from '../../../workers/resources/resource-service';
import type { ResourceDefinition } from '../../../workers/resources/resource';
import { versionStore } from '../../../workers/resources/runtime';
import type { VersionStore } from '../../../workers/resources/version-store';
import { startHarness, type Harness } from '../../support/harness';
import { dropDatabase, MYSQL_ROOT, REDIS_URL } from '../../support/isolation';

export interface ResourcesFixture {
  h: Harness;
  pool: Pool;
  /** A service as one more process would build it (its own memory layer, the shared Redis and MySQL). */
  service(defs: ResourceDefinition[], opts?: { store?: VersionStore; settings?: Record<string, unknown> }): ResourceService;
  /** RESOURCES_DB_URL of this fixture (for child processes). */
  dbUrl: string;
  /** The plugin's Redis namespace, as the core's PluginApi prefixes it. */
  redisPrefix: string;
  raw: Redis;
  close(): Promise<void>;
}

export async function startResources(label: string, env: Record<string, string> = {}, seed: SeedSizes = {}, workers: Function[] = []): Promise<ResourcesFixture> {
  const dbName = `sluice_t_res_${label}_${randomBytes(4).toString('hex')}`;
  const h = await startHarness(`res_${label}`, [ResourcesDb, ...workers], { RESOURCES_DB_URL: `${MYSQL_ROOT}/${dbName}`, ...env });
  const pool = await ensureResourcesDb();
  await seedExamples(pool, seed);
  const redisPrefix = `${h.container.settings.REDIS_PREFIX}plugin:resources:`;
  const raw = new Redis(REDIS_URL);
  const clients: Redis[] = [];
  const c = h.container;
  const logger = {
    debug: (m: string, meta?: Record<string, unknown>) => c.logger.debug(m, meta),
    info: (m: string, meta?: Record<string, unknown>) => c.logger.info(m, meta),
    warn: (m: string, meta?: Record<string, unknown>) => c.logger.warn(m, meta),
    error: (m: string, meta?: Record<string, unknown>) => c.logger.error(m, meta),
  };
  return {
    h, pool, redisPrefix, raw, dbUrl: `${MYSQL_ROOT}/${dbName}`,
    service(defs, opts = {}) {
      const redis = new Redis(REDIS_URL, { keyPrefix: redisPrefix });
      clients.push(redis);
      const settings = opts.settings ?? {};
      return new ResourceService({
        catalog: new ResourceCatalog(defs), store: opts.store ?? versionStore(), redis, logger,
        publish: (type, data) => c.events.publish(type, { ...data, plugin: 'resources' }),
        config: { get: <T>(key: string) => (key in settings ? settings[key] as T : c.config.get<T>(key)) },
      });
    },
    async close() {
      for (const r of clients) r.disconnect();
      raw.disconnect();
      await ResourcesDb.close();
      await h.close();
      await dropDatabase(dbName);
    },
  };
}
