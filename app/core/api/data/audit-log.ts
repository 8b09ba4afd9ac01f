/**
 * The audit trail (SPEC §6): every mutating request an authenticated token makes is recorded — token name, time,
 * route, status and the change (route params and body, secrets masked, size-capped) — before its answer is sent,
 * so a client never sees a change acknowledged that the trail does not hold.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Pool, RowDataPacket } from 'mysql2/promise';
import type winston from 'winston';
import { isSecretKey } from '../../../config/settings';
import { readJson } from '../../database/connection';
import { maskSecretValue, redactSecrets } from '../../services/redact';
import type { Page } from './executions.query';

declare module 'fastify' {
  interface FastifyRequest {
    /** What the route says it changed, added to the audit row (ids it created, counts). */
    auditChange?: Record<string, unknown>;
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AuditEntry {
  id: number;
  ts: string;
  tokenName: string;
  role: string;
  method: string;
  route: string;
  url: string;
  workerId: string | null;
  statusCode: number;
  change: unknown;
}

export interface AuditSearch {
  tokenName?: string;
  workerId?: string;
  since?: string;
  until?: string;
  cursor?: number;
  limit: number;
}

/** The change of a request as stored: params and body with secrets masked, plus what the route reported. */
export function describeChange(req: FastifyRequest, maxBytes: number): unknown {
  const params = (req.params ?? {}) as Record<string, unknown>;
  let body = req.body === undefined ? undefined : redactSecrets(req.body);
  // A config value is secret by its key, not by a field name inside the body.
  if (typeof params.key === 'string' && isSecretKey(params.key) && body && typeof body === 'object') {
    body = { ...(body as Record<string, unknown>), value: maskSecretValue((body as Record<string, unknown>).value) };
  }
  const query = req.method === 'DELETE' && req.query && Object.keys(req.query).length ? redactSecrets(req.query) : undefined;
  const change = { params, ...(body !== undefined ? { body } : {}), ...(query ? { query } : {}), ...(req.auditChange ? { result: redactSecrets(req.auditChange) } : {}) };
  const text = JSON.stringify(change);
  return text.length > maxBytes ? { params, truncated: true, bytes: text.length } : change;
}

export class AuditLog {
  constructor(private readonly pool: Pool, private readonly maxBytes: number) {}

  async record(req: FastifyRequest, statusCode: number): Promise<void> {
    const p = req.principal!;
    const params = (req.params ?? {}) as Record<string, unknown>;
    const route = req.routeOptions.url ?? req.url.split('?')[0];
    const workerId = route.startsWith('/workers/:id') && typeof params.id === 'string' ? params.id : (req.auditChange?.workerId as string | undefined) ?? null;
    await this.pool.query(
      'INSERT INTO audit_log (ts, token_name, role, method, route, url, worker_id, status_code, `change`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [new Date(), p.name, p.role, req.method, route.slice(0, 255), req.url.split('?')[0].slice(0, 1024), workerId, statusCode, JSON.stringify(describeChange(req, this.maxBytes))],
    );
  }

  /** Newest first; cursor = the last id seen. */
  async list(s: AuditSearch): Promise<Page<AuditEntry>> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      where.push(sql);
      args.push(value);
    };
    if (s.tokenName) add('token_name = ?', s.tokenName);
    if (s.workerId) add('worker_id = ?', s.workerId);
    if (s.since) add('ts >= ?', new Date(s.since));
    if (s.until) add('ts <= ?', new Date(s.until));
    if (s.cursor !== undefined) add('id < ?', s.cursor);
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT * FROM audit_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`, [...args, s.limit + 1]);
    const items = rows.slice(0, s.limit).map((r): AuditEntry => ({
      id: Number(r.id), ts: new Date(r.ts).toISOString(), tokenName: r.token_name, role: r.role, method: r.method, route: r.route, url: r.url,
      workerId: r.worker_id ?? null, statusCode: Number(r.status_code), change: readJson(r.change),
    }));
    return { items, nextCursor: rows.length > s.limit && items.length ? String(items[items.length - 1].id) : null };
  }

  /**
   * Records every mutating request of an authenticated token (refused ones too: a 403 is worth knowing) in the
   * onSend hook, before the answer leaves. A failed audit write is logged with the request, never dropped quietly.
   */
  install(app: FastifyInstance, logger: winston.Logger): void {
    // Callback style: reads (most requests) pass straight through without a promise.
    app.addHook('onSend', (req, reply, payload, done) => {
      const principal = req.principal;
      if (!MUTATING.has(req.method) || !principal) return done(null, payload);
      this.record(req, reply.statusCode).catch((err: unknown) => {
        logger.error(`audit: could not record ${req.method} ${req.url} by "${principal.name}": ${err instanceof Error ? err.message : String(err)}`, { stored: false });
      }).finally(() => done(null, payload));
    });
  }
}
