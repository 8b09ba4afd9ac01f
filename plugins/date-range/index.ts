export { splitDateRange, capWindows, halveWindow, daysIn, DEFAULT_TIMEZONE, PLATFORM_MAX_WINDOW_MS, type DateChunk, type SplitOptions, type TimeWindow } from './split';
export { startOfDay, dayOf, addDays, offsetMsAt, parseIsoDate, assertTimeZone } from './zoned-days';
