/** The fund/news site fake lives with the examples (dev mode serves it); re-exported for tests. */
export * from '../../workers/examples/upstreams/market-site';
