/** The public surface for worker authors and plugins. */
import 'reflect-metadata';

export { Schedule, WebSocket, Stream, Database } from './core/decorators';
export type { ScheduleOptions, WebSocketOptions, StreamOptions, DatabaseOptions, BackoffOptions, OverlapPolicy, CatchUpPolicy, HistoryPolicy } from './core/decorators';
export { ScheduleWorker, type AbandonedContext, type FailureInfo } from './core/structures/schedule-worker';
export { WebSocketWorker, type ListenerContext } from './core/structures/websocket-worker';
export { StreamWorker, StreamEntriesError, type StreamEntry, type StreamContext, type StreamResult } from './core/kinds/stream/stream-worker';
export { DatabaseBase, databaseUrl } from './core/structures/database-base';
export { NonRetryableError, JobTimeoutError, JobCancelledError } from './core/structures/errors';
export type { RunContext, WorkerContext, RunLogger, Progress, Trigger, EnqueueOptions, ConfigReader, BulkJobSpec } from './core/structures/context';
export { registerWorkerKind, type WorkerKind, type WorkerDefinitionBase, type KindRuntime, type ControlAction } from './core/kinds';
export { defineSettings, type SettingDefinition } from './config/settings';
export type { PluginApi, PluginHooks, PublicRoutes, PluginRoutes, PluginRouteOptions, BulkJob, TriggerOptions, RegistryView, RegisteredWorkerView } from './core/plugins/plugin-api';
export type { DevHook, DevHookContext, DevHookResult } from './core/runtime/dev-hooks';
