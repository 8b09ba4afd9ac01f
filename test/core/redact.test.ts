/** The Redactor on its own: what it masks, cuts and caps, and what it leaves alone. */
import { describe, expect, it } from 'vitest';
import { DepthLimitError, jsonTextTooDeep, MASK, Redactor } from '../../app/core/services/redact';
import { ParamsValidationError } from '../../app/core/services/params';

const limits = { maxBytes: 2_048, maxParamsBytes: 4_096, maxDepth: 8, minSecretLength: 6 };

describe('Redactor', () => {
  it('masks secret-looking keys at any depth and known secret values inside any string', () => {
    const r = new Redactor(limits);
    r.addSecret('s3cr3t-value');
    r.addSecret('mysql://app:p%40ss-word@db:3306/x'); // a URL counts by its password only
    r.addSecret('short'); // under SECRET_MASK_MIN_LENGTH: would mask ordinary words
    const out = r.redact({
      a: { b: { c: { d: { e: { password: 'x', apiKey: 'y', authorization: 'Bearer z', keep: 'short words stay' } } } } },
      note: 'token=s3cr3t-value; pw p@ss-word; host db:3306', list: [{ secret: 's' }, 'plain'], empty: { token: '' },
    });
    expect(out).toEqual({
      a: { b: { c: { d: { e: { password: MASK, apiKey: MASK, authorization: MASK, keep: 'short words stay' } } } } },
      note: `token=${MASK}; pw ${MASK}; host db:3306`, list: [{ secret: MASK }, 'plain'], empty: { token: '' },
    });
    expect(r.text('failed with s3cr3t-value')).toBe(`failed with ${MASK}`);
  });

  it('cuts parts deeper than the limit, survives cycles and keeps toJSON values', () => {
    const r = new Redactor(limits);
    let deep: Record<string, unknown> = { token: 'hidden-in-depth' };
    for (let i = 0; i < 50_000; i++) deep = { a: deep };
    const cut = JSON.stringify(r.redact(deep));
    expect(cut).toContain('[nested deeper than 8 levels (JSON_MAX_DEPTH)]');
    expect(cut).not.toContain('hidden-in-depth');
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    expect(r.redact(cyclic)).toEqual({ name: 'x', self: '[circular]' });
    expect(r.redact({ at: new Date('2026-01-01T00:00:00Z'), n: 10n })).toEqual({ at: new Date('2026-01-01T00:00:00Z'), n: '10' });
  });

  it('replaces a value over the cap by a marker, and cuts texts with a note', () => {
    const r = new Redactor(limits);
    const { value, json } = r.sanitize({ rows: 'é'.repeat(3_000) });
    expect(value).toMatchObject({ $capped: { bytes: 6_011, limitBytes: 2_048, setting: 'VALUE_MAX_BYTES' } });
    expect(JSON.parse(json!)).toEqual(value);
    expect(r.sanitize({ small: 1 })).toEqual({ value: { small: 1 }, json: '{"small":1}' });
    const text = r.text('x'.repeat(10_000));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(2_048);
    expect(text).toMatch(/… \[capped: 10000 bytes, over VALUE_MAX_BYTES=2048\]$/);
  });

  it('refuses params with a secret-looking key, too deep or too large, naming the field or the setting', () => {
    const r = new Redactor(limits);
    expect(() => r.checkParams({ shop: { accessToken: 'abc' } })).toThrow(ParamsValidationError);
    expect(() => r.checkParams({ shop: { accessToken: 'abc' } })).toThrow(/params\.shop\.accessToken: looks like a secret/);
    expect(() => r.checkParams({ accessToken: '' })).not.toThrow(); // empty is not a secret
    expect(() => r.checkParams({ a: [[[[[[[[[1]]]]]]]]] })).toThrow(DepthLimitError);
    expect(() => r.checkParams({ big: 'x'.repeat(5_000) })).toThrow(/over JOB_PARAMS_MAX_BYTES=4096/);
    expect(() => r.checkParams({ list: [1, 2], nested: { ok: true } })).not.toThrow();
  });
});

describe('jsonTextTooDeep', () => {
  it('counts brackets outside strings only', () => {
    expect(jsonTextTooDeep('[[[]]]', 3)).toBe(false);
    expect(jsonTextTooDeep('[[[[]]]]', 3)).toBe(true);
    expect(jsonTextTooDeep('{"a":"[[[[[[[[","b":"\\"[[[[[["}', 1)).toBe(false);
    expect(jsonTextTooDeep('{"a":{"b":{"c":1}},"d":[1]}', 3)).toBe(false);
    expect(jsonTextTooDeep('{"a":{"b":{"c":{}}}}', 3)).toBe(true);
  });
});
