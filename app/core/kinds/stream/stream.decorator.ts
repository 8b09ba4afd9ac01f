import { record } from '../../decorators/declarations';
import type { StreamOptions } from './stream.options';

/** Declares a Redis Streams consumer-group worker on a class extending `StreamWorker`. */
export function Stream(options: StreamOptions): ClassDecorator {
  return (target) => record('stream', target, options);
}
