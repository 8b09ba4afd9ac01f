import { CronExpressionParser } from 'cron-parser';

/** Throws with the parser's reason when a 5/6-field cron does not parse. */
export function assertCron(expression: string, timezone: string): void {
  const fields = expression.trim().split(/\s+/).length;
  if (fields < 5 || fields > 6) throw new Error(`expected 5 or 6 fields, got ${fields}`);
  CronExpressionParser.parse(expression, { tz: timezone });
}

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Next fire strictly after `after`, in the schedule's timezone. */
export function nextFire(expression: string, timezone: string, after: Date = new Date()): Date {
  return CronExpressionParser.parse(expression, { tz: timezone, currentDate: after }).next().toDate();
}

/** Latest fire at or before `before`, in the schedule's timezone. */
export function previousFire(expression: string, timezone: string, before: Date = new Date()): Date {
  return CronExpressionParser.parse(expression, { tz: timezone, currentDate: new Date(before.getTime() + 1) }).prev().toDate();
}
