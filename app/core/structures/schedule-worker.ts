/** Kept for existing imports: the schedule kind owns its base class (app/core/kinds/schedule). */
export * from '../kinds/schedule/schedule-worker';
