import type { Doc } from '../query/values';
import type { CommandContext, CommandHandler } from './context';

/** Limits advertised in the handshake; the driver sizes its batches and messages by them. */
export const SERVER_LIMITS = {
  maxBsonObjectSize: 16 * 1024 * 1024,
  maxMessageSizeBytes: 48_000_000,
  maxWriteBatchSize: 100_000,
};

/** The mongod version this server imitates (wire version 21 = MongoDB 7.0). */
export const SERVER_VERSION = '7.0.0';

/**
 * Handshake reply of a standalone primary: no setName and no topologyVersion, so the driver
 * polls instead of streaming hellos, does not retry writes and starts no transactions.
 */
export function helloReply(ctx: CommandContext, legacy: boolean): Doc {
  return {
    helloOk: true,
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    ...SERVER_LIMITS,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  };
}

const buildInfo: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'sluice-test-server',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: SERVER_LIMITS.maxBsonObjectSize,
  storageEngines: ['memory'],
  ok: 1,
});

export const ADMIN_COMMANDS: Record<string, CommandHandler> = {
  hello: (ctx) => helloReply(ctx, false),
  isMaster: (ctx) => helloReply(ctx, true),
  ismaster: (ctx) => helloReply(ctx, true),
  ping: () => ({ ok: 1 }),
  buildInfo,
  buildinfo: buildInfo,
  endSessions: () => ({ ok: 1 }),
  whatsmyuri: (ctx) => ({ you: `connection ${ctx.connectionId}`, ok: 1 }),
};
