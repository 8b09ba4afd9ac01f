/** The public surface for worker authors and plugins. */
import 'reflect-metadata';

export { Schedule, WebSocket, Database } from './core/decorators';
export type { ScheduleOptions, WebSocketOptions, DatabaseOptions, BackoffOptions, OverlapPolicy, CatchUpPolicy, HistoryPolicy } from './core/decorators';
export { ScheduleWorker, type AbandonedContext } from './core/structures/schedule-worker';
export { WebSocketWorker, type ListenerContext } from './core/structures/websocket-worker';
export { DatabaseBase } from './core/structures/database-base';
export { NonRetryableError, JobTimeoutError, JobCancelledError } from './core/structures/errors';
export type { RunContext, RunLogger, Progress, Trigger, EnqueueOptions, ConfigReader } from './core/structures/context';
export { registerWorkerKind, type WorkerKind, type WorkerDefinitionBase, type KindRuntime, type ControlAction } from './core/kinds';
export { defineSettings, type SettingDefinition } from './config/settings';
export type { PluginRouteOptions } from './core/api/plugin-routes';
export type { PluginApi, PluginHooks, PublicRoutes, PluginRoutes, BulkJob, TriggerOptions, RegistryView, RegisteredWorkerView } from './core/plugins/plugin-api';
