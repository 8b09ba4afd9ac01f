import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings, parseSetting, settingDefinitions } from '../../app/config/settings';
import { ROOT } from '../support/child';

describe('settings', () => {
  it('.env.example lists every core setting with its default, in order', () => {
    const text = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const entries = [...text.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]);
    const defs = [...settingDefinitions()].filter(([, d]) => d.description !== 'test setting');
    expect(entries.map(([k]) => k)).toEqual(defs.map(([k]) => k));
    for (const [key, value] of entries) expect(value, key).toBe(String(settingDefinitions().get(key)!.default));
  });

  it('parses typed env values and rejects bad ones naming the key', () => {
    expect(loadSettings({ API_PORT: '9000', DB_AUTO_MIGRATE: 'false' })).toMatchObject({ API_PORT: 9000, DB_AUTO_MIGRATE: false });
    expect(() => loadSettings({ API_PORT: 'eighty' })).toThrow(/API_PORT="eighty" is not a valid int/);
    expect(() => parseSetting('DB_AUTO_MIGRATE', 'maybe', 'bool')).toThrow(/DB_AUTO_MIGRATE/);
  });
});
