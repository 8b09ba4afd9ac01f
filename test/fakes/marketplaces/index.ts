/** The marketplace fakes live beside the plugin (dev mode serves them): workers/marketplace/upstreams/. */
export * from '../../../workers/marketplace/upstreams';
export { dayStartSec, createdBetween } from '../../../workers/marketplace/upstreams/shop-data';
