/**
 * One "process" of the cross-process single-flight test: on `go` (Redis pub/sub) it asks for a cold dataset 50
 * times at once, through a loader that counts its runs in Redis, then prints what it got as one JSON line.
 */
import 'reflect-metadata';
import { Redis } from 'ioredis';
import { envOrDefault } from '../../../app/config/settings';
import { ResourceCatalog } from '../../../workers/resources/resource-catalog';
import { ResourceService } from '../../../workers/resources/resource-service';
import { defineResource } from '../../../workers/resources/resource';
import { ResourcesDb } from '../../../workers/resources/resources.database';
import staff from '../../../workers/resources/staff.resource';
import { versionStore } from '../../../workers/resources/runtime';

const prefix = process.env.CHILD_PREFIX!;
const redis = new Redis(process.env.REDIS_URL!, { keyPrefix: prefix });
const sub = new Redis(process.env.REDIS_URL!);
const log = (m: string) => process.stderr.write(`${m}\n`);

const counted = defineResource({
  name: 'staff-x', description: 'counted', idField: 'id',
  async load(ctx) {
    await redis.incr('loader-runs');
    await new Promise((r) => setTimeout(r, 300));
    return staff.load(ctx);
  },
});

async function main(): Promise<void> {
  const service = new ResourceService({
    catalog: new ResourceCatalog([counted]), store: versionStore(), redis, publish: () => undefined,
    logger: { debug: log, info: log, warn: log, error: log }, config: { get: <T>(key: string) => envOrDefault(key)?.value as T },
  });
  await sub.subscribe(`${prefix}go`);
  const go = new Promise((resolve) => sub.once('message', resolve));
  console.log('ready');
  await go;
  const got = await Promise.all(Array.from({ length: 50 }, () => service.dataset('staff-x')));
  console.log(JSON.stringify({ versions: [...new Set(got.map((d) => d.row.version))], bytes: [...new Set(got.map((d) => d.body.length))] }));
  sub.disconnect();
  redis.disconnect();
  await ResourcesDb.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
