/** What the push tasks build from their run context: settings, the store and the process's pipeline. */
import type { ConfigReader } from '../../app';
import type { Db } from 'mongodb';
import type { Redis } from 'ioredis';
import { pipelineFor, type PushPipeline } from './pipeline';
import { pushSettings, type PushSettings } from './settings';

export interface TaskDeps {
  config: ConfigReader;
  mongo(): Promise<Db>;
  redis: Redis;
}

export async function taskPipeline(ctx: TaskDeps): Promise<{ settings: PushSettings; pipeline: PushPipeline }> {
  const settings = pushSettings(ctx.config);
  const pipeline = await pipelineFor({ db: await ctx.mongo(), redis: ctx.redis, redisPrefix: String(ctx.config.get('REDIS_PREFIX')), settings });
  return { settings, pipeline };
}
