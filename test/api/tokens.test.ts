/** API_TOKENS parsing and verification (app/core/api/auth/tokens.ts). */
import { describe, expect, it } from 'vitest';
import { TokenStore } from '../../app/core/api/auth/tokens';

describe('TokenStore', () => {
  const store = new TokenStore('ops:admin:admin-token-0123456789, viewer:read:read-token-0123456789');

  it('knows each configured token, before and after it was verified once', () => {
    for (let i = 0; i < 3; i++) {
      expect(store.verify('admin-token-0123456789')).toEqual({ name: 'ops', role: 'admin' });
      expect(store.verify('read-token-0123456789')).toEqual({ name: 'viewer', role: 'read' });
    }
  });

  it('refuses other tokens every time, including near misses of a verified one', () => {
    store.verify('admin-token-0123456789');
    for (const t of ['admin-token-012345678', 'admin-token-01234567890', 'Admin-token-0123456789', 'read-token-0123456789 ', '', undefined]) {
      expect(store.verify(t), String(t)).toBeNull();
      expect(store.verify(t), String(t)).toBeNull();
    }
  });

  it('hands out principals that a route cannot change for the next request', () => {
    const p = store.verify('read-token-0123456789')!;
    expect(() => Object.assign(p, { role: 'admin' })).toThrow();
    expect(store.verify('read-token-0123456789')!.role).toBe('read');
  });

  it('rejects a malformed spec naming the entry, never the token', () => {
    expect(() => new TokenStore('ops:root:secret-value')).toThrow(/entry 1 \(ops\) has role "root"/);
    expect(() => new TokenStore('ops:root:secret-value')).not.toThrow(/secret-value/);
    expect(() => new TokenStore('a:admin:x,broken')).toThrow(/entry 2 must be name:role:token/);
  });
});
