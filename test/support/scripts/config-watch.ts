/** Child process for the config test: prints the resolved value of a key whenever the chain reloads. */
import { Redis } from 'ioredis';
import { loadSettings } from '../../../app/config/settings';
import { connectCoreDatabase } from '../../../app/core/database/connection';
import { ConfigChain } from '../../../app/core/services/config-chain';
import { RedisKeys } from '../../../app/core/services/redis';

async function main(): Promise<void> {
  const [key, workerId] = process.argv.slice(2);
  const s = loadSettings();
  const keys = new RedisKeys(s.REDIS_PREFIX);
  const core = connectCoreDatabase(s.DATABASE_URL, 2);
  const chain = new ConfigChain(core.pool, { ttlMs: 60_000, channel: keys.configChannel, publisher: new Redis(s.REDIS_URL) });
  await chain.load();
  chain.onChange(() => console.log(`value=${JSON.stringify(chain.resolve(key, workerId))}`));
  await chain.listen(new Redis(s.REDIS_URL));
  console.log(`ready value=${JSON.stringify(chain.resolve(key, workerId))}`);
}

void main();
