/**
 * Authentication and roles for the admin scope. A request carries its token as `Authorization: Bearer <token>`;
 * browsers cannot set headers on a WebSocket, so /ws also accepts it as a `bearer.<token>` entry of
 * Sec-WebSocket-Protocol or a `token` query parameter; the queue board (a browser UI) keeps it in an HttpOnly
 * cookie set from `?token=`. `read` tokens may only use GET/HEAD; every other method needs `admin`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import '@fastify/cookie';
import { ApiErrors, type FieldError } from '../errors';
import { errorBody } from '../error-handler';
import type { ApiPrincipal, TokenStore } from './tokens';

declare module 'fastify' {
  interface FastifyRequest {
    principal: ApiPrincipal | null;
  }
  interface FastifyContextConfig {
    /** Where else this route accepts a token: 'websocket' (subprotocol or ?token=) or 'board' (cookie). */
    tokenFrom?: 'websocket' | 'board';
    /** Require an admin token even for GET. @defaultValue false */
    adminOnly?: boolean;
  }
}

export const WS_TOKEN_PROTOCOL_PREFIX = 'bearer.';
export const BOARD_COOKIE = 'sluice_board_token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1];
}

function queryToken(req: FastifyRequest): string | undefined {
  const q = req.query as Record<string, unknown> | undefined;
  return typeof q?.token === 'string' ? q.token : undefined;
}

/** `bearer.<token>` among the offered WebSocket subprotocols. */
export function protocolToken(header: string | string[] | undefined): string | undefined {
  const all = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map((s) => s.trim());
  const hit = all.find((p) => p.startsWith(WS_TOKEN_PROTOCOL_PREFIX));
  return hit ? hit.slice(WS_TOKEN_PROTOCOL_PREFIX.length) : undefined;
}

/** The board cookie, parsed by @fastify/cookie (registered in the board's scope, bull-board.ts). */
function cookieToken(req: FastifyRequest): string | undefined {
  return req.cookies?.[BOARD_COOKIE] || undefined;
}

function presentedToken(req: FastifyRequest): string | undefined {
  const from = req.routeOptions.config?.tokenFrom;
  const header = bearer(req);
  if (header || !from) return header;
  if (from === 'websocket') return protocolToken(req.headers['sec-websocket-protocol']) ?? queryToken(req);
  return queryToken(req) ?? cookieToken(req);
}

/** The queue board is a browser page: a valid ?token= becomes a path-scoped cookie and the URL loses the token. */
function rememberBoardToken(req: FastifyRequest, reply: FastifyReply, token: string, boardPath: string): boolean {
  if (req.routeOptions.config?.tokenFrom !== 'board' || queryToken(req) !== token) return false;
  const secure = req.protocol === 'https';
  const url = new URL(req.url, 'http://x');
  url.searchParams.delete('token');
  void reply
    .setCookie(BOARD_COOKIE, token, { path: boardPath, httpOnly: true, sameSite: 'strict', secure })
    .redirect(`${url.pathname}${url.search}`, 303);
  return true;
}

/**
 * Adds the auth check to every route of the scope as a route-level onRequest hook, appended after the rate-limit
 * hook: failed attempts count against the limit, so tokens cannot be guessed at full speed.
 */
function refuse(reply: FastifyReply, err: FieldError): FastifyReply {
  const body = errorBody(err);
  return reply.code(body.statusCode).type('application/json; charset=utf-8').send(body);
}

export function installAuth(app: FastifyInstance, tokens: TokenStore, boardPath: string): void {
  app.decorateRequest('principal', null);
  // Callback style: the check is synchronous, and a promise per request showed in the profile of cached answers.
  const authenticate = (req: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    const token = presentedToken(req);
    const principal = tokens.verify(token);
    // Answered here rather than thrown: scopes with their own error handler (the queue board) answer alike.
    if (!principal) {
      refuse(reply, new ApiErrors.Unauthorized(token ? 'invalid token' : 'missing token: send Authorization: Bearer <token>'));
      return;
    }
    req.principal = principal;
    const needsAdmin = !SAFE_METHODS.has(req.method) || req.routeOptions.config?.adminOnly === true;
    if (needsAdmin && principal.role !== 'admin') {
      refuse(reply, new ApiErrors.Forbidden(`token "${principal.name}" has role ${principal.role}; ${req.method} ${req.routeOptions.url ?? ''} needs admin`));
      return;
    }
    if (token && rememberBoardToken(req, reply, token, boardPath)) return;
    done();
  };
  app.addHook('onRoute', (route) => {
    const existing = route.onRequest ? (Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]) : [];
    route.onRequest = [...existing, authenticate] as typeof route.onRequest;
  });
}
