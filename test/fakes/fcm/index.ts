/** The fake FCM lives beside the plugin (dev mode serves it: workers/push/upstreams/fcm/); tests import it from here. */
export * from '../../../workers/push/upstreams/fcm';
