import 'reflect-metadata';
import { record } from './declarations';
import type { DatabaseOptions, ScheduleOptions, WebSocketOptions } from './options';

export * from './options';

/** Declares a scheduled (cron) or on-demand task on a class extending `ScheduleWorker`. */
export function Schedule(options: ScheduleOptions = {}): ClassDecorator {
  return (target) => record('schedule', target, options);
}

/** Declares a long-lived WebSocket listener on a class extending `WebSocketWorker`. */
export function WebSocket(options: WebSocketOptions): ClassDecorator {
  return (target) => record('websocket', target, options);
}

/** Declares a user database on a class extending `DatabaseBase`; the class gains static db()/transaction()/…  */
export function Database(options: DatabaseOptions): ClassDecorator {
  return (target) => record('database', target, options);
}
