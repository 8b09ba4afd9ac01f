import { describe, expect, it } from 'vitest';
import { addDays, isIsoDate, yesterdayIn } from '../../../workers/balance/dates';
import { LedgerDb } from '../../../workers/balance/ledger.database';
import { databaseUrl, setDatabaseUrlResolver } from '../../../app/core/structures/database-base';
import { cutBatches } from '../../../workers/balance/scan-partition.worker';

describe('balance helpers', () => {
  it('accepts only real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2024-2-01')).toBe(false);
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });

  it('picks yesterday in the schedule timezone', () => {
    // 2024-06-01 18:30 UTC is already 2024-06-02 01:30 in Ho Chi Minh City.
    expect(yesterdayIn('Asia/Ho_Chi_Minh', new Date('2024-06-01T18:30:00Z'))).toBe('2024-06-01');
    expect(yesterdayIn('UTC', new Date('2024-06-01T18:30:00Z'))).toBe('2024-05-31');
  });

  it('uses LEDGER_DB_URL, else <core>_ledger on the core database server (both through the config chain)', () => {
    const settings: Record<string, string> = { DATABASE_URL: 'mysql://app:pw@db.internal:3307/sluice' };
    setDatabaseUrlResolver((key) => settings[key]);
    expect(databaseUrl(LedgerDb.options())).toBe('mysql://app:pw@db.internal:3307/sluice_ledger');
    settings.DATABASE_URL = 'mysql://app:pw@db.internal:3307/acme_prod?charset=utf8mb4';
    expect(databaseUrl(LedgerDb.options())).toBe('mysql://app:pw@db.internal:3307/acme_prod_ledger?charset=utf8mb4');
    settings.LEDGER_DB_URL = 'mysql://ledger@ledger.internal/books';
    expect(databaseUrl(LedgerDb.options())).toBe('mysql://ledger@ledger.internal/books');
  });

  it('cuts ascending ids into batches of B, the last one short', () => {
    expect(cutBatches([3, 5, 8, 13, 21], 2, 7)).toEqual([
      { seq: 7, fromId: 3, toId: 5, accounts: 2 }, { seq: 8, fromId: 8, toId: 13, accounts: 2 }, { seq: 9, fromId: 21, toId: 21, accounts: 1 },
    ]);
  });
});
