/** The public surface for worker authors and plugins. */
import 'reflect-metadata';

export { Schedule, WebSocket, Database } from './core/decorators';
export type { ScheduleOptions, WebSocketOptions, DatabaseOptions, BackoffOptions, OverlapPolicy, CatchUpPolicy, HistoryPolicy } from './core/decorators';
export { ScheduleWorker, type AbandonedContext, type FailureInfo } from './core/structures/schedule-worker';
export { WebSocketWorker, type ListenerContext } from './core/structures/websocket-worker';
export { DatabaseBase, databaseUrl } from './core/structures/database-base';
export { NonRetryableError, JobTimeoutError, JobCancelledError } from './core/structures/errors';
export type { RunContext, RunLogger, Progress, Trigger, EnqueueOptions, ConfigReader, BulkJobSpec } from './core/structures/context';
export { defineSettings, type SettingDefinition } from './config/settings';
export type { PluginApi, PluginHooks, PublicRoutes, PluginRoutes, PluginRouteOptions, BulkJob, TriggerOptions, RegistryView, RegisteredWorkerView } from './core/plugins/plugin-api';
export type { DevHook, DevHookContext, DevHookResult } from './core/runtime/dev-hooks';
