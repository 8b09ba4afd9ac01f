/** The registry entry of a `@Stream` consumer; numeric options stay setting names until a worker process starts. */
import type { AnyClass, Declaration } from '../../decorators/declarations';
import { intOrSetting } from '../../registry/definition-checks';
import { messages } from '../../registry/registry.messages';
import type { StreamOptions } from './stream.options';

/** A number, or the setting that gives it (read through the config chain at start). */
export type IntOption = number | string;

export interface StreamDefinition {
  kind: 'stream';
  id: string;
  cls: AnyClass;
  file: string;
  description: string;
  /** Stream name under REDIS_PREFIX. */
  stream: string;
  group: string;
  deadLetterStream: string;
  batchSize: IntOption;
  blockMs: IntOption;
  claimIdleMs: IntOption;
  maxDeliveries: IntOption;
  concurrency: IntOption;
  enabled: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$/;

function name(id: string, option: string, value: unknown, file: string): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new Error(messages.invalidOption(id, option, file, `must be a name of letters, digits, ':', '.', '_' or '-' (got ${JSON.stringify(value)})`));
  }
  return value;
}

export function buildStream(decl: Declaration, file: string, id: string): StreamDefinition {
  const o = decl.options as StreamOptions;
  const stream = name(id, 'stream', o.stream, file);
  const deadLetterStream = name(id, 'deadLetterStream', o.deadLetterStream ?? `${stream}:dead`, file);
  if (deadLetterStream === stream) throw new Error(messages.invalidOption(id, 'deadLetterStream', file, 'must differ from stream'));
  return {
    kind: 'stream', id, cls: decl.target, file,
    description: o.description ?? '',
    stream, deadLetterStream,
    group: name(id, 'group', o.group ?? id, file),
    batchSize: intOrSetting(id, 'batchSize', o.batchSize ?? 'STREAM_BATCH_SIZE', file),
    blockMs: intOrSetting(id, 'blockMs', o.blockMs ?? 'STREAM_BLOCK_MS', file),
    claimIdleMs: intOrSetting(id, 'claimIdleMs', o.claimIdleMs ?? 'STREAM_CLAIM_IDLE_MS', file),
    maxDeliveries: intOrSetting(id, 'maxDeliveries', o.maxDeliveries ?? 'STREAM_MAX_DELIVERIES', file),
    concurrency: intOrSetting(id, 'concurrency', o.concurrency ?? 'STREAM_CONCURRENCY', file),
    enabled: o.enabled ?? true,
  };
}

export function describeStream(def: StreamDefinition): Record<string, unknown> {
  return {
    stream: def.stream, group: def.group, deadLetterStream: def.deadLetterStream, batchSize: def.batchSize, blockMs: def.blockMs,
    claimIdleMs: def.claimIdleMs, maxDeliveries: def.maxDeliveries, concurrency: def.concurrency,
  };
}
