/**
 * Example datasets for the staff, stores and warehouses resources: deterministic (a seeded generator), so two
 * runs seed the same rows and a test can predict them. `npm run resources:seed` and dev mode use it.
 */
import type { Pool } from 'mysql2/promise';
import { seededRandom } from '../../plugins/seeded-random';

export interface SeedSizes {
  /** @defaultValue 5000 */
  staff?: number;
  /** @defaultValue 60 */
  stores?: number;
  /** @defaultValue 8 */
  warehouses?: number;
}

const CITIES = ['Hà Nội', 'Hồ Chí Minh', 'Đà Nẵng', 'Hải Phòng', 'Cần Thơ', 'Nha Trang', 'Huế', 'Vũng Tàu'];
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Thanh', 'Quốc', 'Ngọc', 'Hữu', 'Gia'];
const GIVEN = ['An', 'Bình', 'Châu', 'Dũng', 'Giang', 'Hà', 'Hải', 'Khánh', 'Lan', 'Linh', 'Long', 'Mai', 'Nam', 'Phúc', 'Quân', 'Sơn', 'Tâm', 'Trang', 'Tuấn', 'Vy'];
const ROLES = ['cashier', 'sales', 'stock', 'manager', 'delivery'];

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function exampleRows(sizes: SeedSizes = {}) {
  const rnd = seededRandom(16);
  const nW = sizes.warehouses ?? 8;
  const nS = sizes.stores ?? 60;
  const nP = sizes.staff ?? 5_000;
  const warehouses = Array.from({ length: nW }, (_, i) => [i + 1, `WH${pad(i + 1, 3)}`, `Kho ${CITIES[i % CITIES.length]} ${Math.floor(i / CITIES.length) + 1}`, CITIES[i % CITIES.length], 1_000 * (5 + Math.floor(rnd() * 20))]);
  const stores = Array.from({ length: nS }, (_, i) => {
    const city = pick(rnd, CITIES);
    return [i + 1, `ST${pad(i + 1, 4)}`, `Cửa hàng ${city} ${i + 1}`, city, 1 + Math.floor(rnd() * nW)];
  });
  const staff = Array.from({ length: nP }, (_, i) => {
    const full = `${pick(rnd, FAMILY)} ${pick(rnd, MIDDLE)} ${pick(rnd, GIVEN)}`;
    return [i + 1, `NV${pad(i + 1, 5)}`, full, `nv${pad(i + 1, 5)}@example.vn`, pick(rnd, ROLES), 1 + Math.floor(rnd() * nS), rnd() < 0.93 ? 1 : 0];
  });
  return { warehouses, stores, staff };
}

const CHUNK = 1_000;

async function insertAll(pool: Pool, sql: string, rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await pool.query(sql, [rows.slice(i, i + CHUNK)]);
}

/** Replaces the example tables' rows with the generated ones. */
export async function seedExamples(pool: Pool, sizes: SeedSizes = {}): Promise<{ staff: number; stores: number; warehouses: number }> {
  const { warehouses, stores, staff } = exampleRows(sizes);
  for (const table of ['staff', 'store', 'warehouse']) await pool.query(`DELETE FROM ${table}`);
  await insertAll(pool, 'INSERT INTO warehouse (id, code, name, city, capacity) VALUES ?', warehouses);
  await insertAll(pool, 'INSERT INTO store (id, code, name, city, warehouse_id) VALUES ?', stores);
  await insertAll(pool, 'INSERT INTO staff (id, code, full_name, email, role, store_id, active) VALUES ?', staff);
  return { staff: staff.length, stores: stores.length, warehouses: warehouses.length };
}

/** Seeds only when the example tables are empty (dev mode: a developer's own edits survive a restart). */
export async function seedExamplesIfEmpty(pool: Pool, sizes: SeedSizes = {}): Promise<boolean> {
  const [rows] = (await pool.query('SELECT (SELECT COUNT(*) FROM staff) + (SELECT COUNT(*) FROM store) + (SELECT COUNT(*) FROM warehouse) AS n')) as unknown as [Array<{ n: number | string }>];
  if (Number(rows[0]?.n) > 0) return false;
  await seedExamples(pool, sizes);
  return true;
}
