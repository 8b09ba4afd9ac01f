import 'reflect-metadata';
import { record } from './declarations';
import type { DatabaseOptions } from './options';

export * from './options';
// Each worker kind owns its decorator (app/core/kinds/<kind>); they are re-exported here for one import path.
export { Schedule } from '../kinds/schedule/schedule.decorator';
export { WebSocket } from '../kinds/websocket/websocket.decorator';
export { Stream } from '../kinds/stream/stream.decorator';

/** Declares a user database on a class extending `DatabaseBase`; the class gains static db()/transaction()/…  */
export function Database(options: DatabaseOptions): ClassDecorator {
  return (target) => record('database', target, options);
}
