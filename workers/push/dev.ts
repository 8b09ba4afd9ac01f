/**
 * `npm run dev` hook of the push plugin: with no FCM_SERVICE_ACCOUNT configured, start the local fake FCM (HTTP/2,
 * OAuth, scripted outcomes by token prefix, FCM_FAKE_LATENCY_MS) and point the plugin at it with the fake's own
 * service account, so `POST /plugins/push/send` works on a laptop without a Firebase project.
 */
import type { DevHook } from '../../app';
import { startFakeFcm, type FakeFcm } from './upstreams/fcm';
import './settings';

const devHook: DevHook = async ({ config, log }) => {
  if (config.get<string>('FCM_SERVICE_ACCOUNT')) return {};
  const fcm: FakeFcm = await startFakeFcm();
  log.warn(`push: no FCM_SERVICE_ACCOUNT configured, sending to a local fake FCM at ${fcm.baseUrl} (project ${fcm.projectId}); nothing reaches a device`);
  return {
    env: { FCM_SERVICE_ACCOUNT: JSON.stringify(fcm.serviceAccount), FCM_BASE_URL: fcm.baseUrl },
    close: () => fcm.close(),
  };
};

export default devHook;
