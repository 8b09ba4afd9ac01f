/**
 * API tokens from the API_TOKENS setting (`name:role:token`, comma separated). A presented token is checked
 * against every configured one in constant time: both sides are hashed to equal-length digests first, so
 * neither the length nor the content of a token leaks through timing, and the loop never exits early.
 *
 * A token that was verified once is then found by a map lookup (keyed by the token itself, holding only the
 * configured tokens that were presented, so it never grows beyond them): the hash was a tenth of a cached 304's
 * time. A lookup tells only "seen valid before" from "not", which the answer tells anyway; an unknown token
 * still takes the constant-time path.
 */
import { hash, timingSafeEqual } from 'node:crypto';

export type Role = 'read' | 'admin';

export interface ApiPrincipal {
  name: string;
  role: Role;
}

interface StoredToken extends ApiPrincipal {
  digest: Buffer;
}

// One-shot hash: half the cost of a Hash object per request.
const digest = (token: string): Buffer => hash('sha256', token, 'buffer');

export class TokenStore {
  private readonly tokens: StoredToken[];
  private readonly verified = new Map<string, ApiPrincipal>();

  constructor(spec: string) {
    this.tokens = TokenStore.parse(spec);
  }

  /** The token values of a spec (for the process's Redactor, which masks them in log lines); bad entries skipped. */
  static secrets(spec: string): string[] {
    return spec.split(',').map((raw) => raw.trim().split(':').slice(2).join(':')).filter(Boolean);
  }

  /** Parses `name:role:token,…`; throws naming the bad entry (never the token itself). */
  static parse(spec: string): StoredToken[] {
    const out: StoredToken[] = [];
    for (const [i, raw] of spec.split(',').map((s) => s.trim()).entries()) {
      if (!raw) continue;
      const first = raw.indexOf(':');
      const second = raw.indexOf(':', first + 1);
      const name = raw.slice(0, first);
      const role = raw.slice(first + 1, second);
      const token = raw.slice(second + 1);
      if (first <= 0 || second < 0 || !token) throw new Error(`API_TOKENS entry ${i + 1} must be name:role:token`);
      if (role !== 'read' && role !== 'admin') throw new Error(`API_TOKENS entry ${i + 1} (${name}) has role "${role}"; use read or admin`);
      out.push({ name, role, digest: digest(token) });
    }
    return out;
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The principal a token belongs to, or null. Compares against every stored token regardless of matches. */
  verify(token: string | undefined): ApiPrincipal | null {
    if (!token) return null;
    const known = this.verified.get(token);
    if (known) return known;
    const presented = digest(token);
    let found: StoredToken | null = null;
    for (const t of this.tokens) {
      if (timingSafeEqual(presented, t.digest) && !found) found = t;
    }
    if (!found) return null;
    const principal: ApiPrincipal = Object.freeze({ name: found.name, role: found.role });
    this.verified.set(token, principal);
    return principal;
  }
}
