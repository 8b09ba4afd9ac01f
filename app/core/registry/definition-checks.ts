/** Small checks every kind's builder uses; each throws a boot error naming the worker, the option and the file. */
import type { AnyClass } from '../decorators/declarations';
import { messages } from './registry.messages';

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `FundNavWorker` → `fund-nav`. */
export function defaultWorkerId(className: string): string {
  return className
    .replace(/Worker$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

export function extendsBase(target: AnyClass, base: AnyClass): boolean {
  return target.prototype instanceof base;
}

export function positiveInt(id: string, option: string, value: number, file: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(messages.invalidOption(id, option, file, `must be a positive integer (got ${value})`));
  return value;
}

export function oneOf<T extends string>(id: string, option: string, value: T, allowed: readonly T[], file: string): T {
  if (!allowed.includes(value)) throw new Error(messages.invalidOption(id, option, file, `must be one of ${allowed.join(', ')} (got ${String(value)})`));
  return value;
}

const SETTING_NAME = /^[A-Z][A-Z0-9_]*$/;

/**
 * A numeric option that may name a setting instead (`concurrency: 'MY_CONCURRENCY'`): the number is checked now,
 * the setting when the worker process starts (through the config chain).
 */
export function intOrSetting(id: string, option: string, value: number | string, file: string, min = 1): number | string {
  if (typeof value === 'string') {
    if (!SETTING_NAME.test(value)) throw new Error(messages.invalidOption(id, option, file, `a string must name a setting in UPPER_SNAKE_CASE (got ${JSON.stringify(value)})`));
    return value;
  }
  if (!Number.isInteger(value) || value < min) throw new Error(messages.invalidOption(id, option, file, `must be an integer >= ${min} or the name of a setting (got ${String(value)})`));
  return value;
}
