import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorTable } from '../../app/core/api/errors';
import { ROOT } from '../support/child';

describe('docs/api.md', () => {
  it('lists every error code of the table with its status, and nothing else', () => {
    const text = fs.readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');
    const documented = [...text.matchAll(/^\| (\d{3}) \| `(SLUICE_[A-Z_]+)` \|/gm)].map((m) => ({ statusCode: Number(m[1]), code: m[2] }));
    expect(documented).toEqual(errorTable());
  });
});
