/**
 * What request bodies the API reads: JSON only (415 for anything else, text/plain included, as docs/api.md says),
 * parsed by Fastify's own prototype-poisoning-safe parser after a depth check on the raw text, so JSON nested
 * thousands of levels deep is a 400 naming JSON_MAX_DEPTH instead of a stack overflow in a later JSON.stringify.
 * A plugin scope that needs another content type (a signed webhook's raw body) registers its own parser.
 */
import type { FastifyInstance } from 'fastify';
import { DepthLimitError, jsonTextTooDeep } from '../services/redact';

export function installBodyParsers(app: FastifyInstance, maxDepth: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  // The body's own object is one level: params or a config value may nest JSON_MAX_DEPTH levels inside it.
  const limit = maxDepth + 1;
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonTextTooDeep(body as string, limit)) return done(new DepthLimitError('request body (below its top-level object)', maxDepth, 'body'), undefined);
    parseJson(req, body as string, done);
  });
}
