/** Moved to plugins/mongo/server/ (dev mode serves plugin data from it); kept so existing test imports compile. */
export * from '../../../plugins/mongo/server';
