/** Rate limits shared across processes through Redis, keyed by platform/shop/API (see shared-limiter.ts). */
export { SharedRateLimiter, type RateLimit, type SharedRateLimiterOptions, type TakeResult } from './shared-limiter';
