import { describe, expect, it } from 'vitest';
import { trustProxyOption } from '../../app/core/api/app';

describe('API_TRUST_PROXY', () => {
  it('believes no forwarded address by default, and parses true, hop counts and address lists', () => {
    expect(trustProxyOption('')).toBe(false);
    expect(trustProxyOption('true')).toBe(true);
    const hops = trustProxyOption('1') as (a: string, hop: number) => boolean;
    expect([hops('10.0.0.1', 0), hops('10.0.0.2', 1)]).toEqual([true, false]);
    expect(trustProxyOption('10.0.0.0/8, 127.0.0.1')).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });
});
