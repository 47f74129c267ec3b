/** Hook that re-renders its component when the service worker's status changes. */
import { useSyncExternalStore } from 'react';
import {
  serviceWorkerStatus,
  subscribeToServiceWorker,
  type ServiceWorkerStatus,
} from './register-service-worker.ts';

/**
 * @example
 * const status = useServiceWorkerStatus();
 * const offlineReady = status.kind === 'registered' && status.controlling;
 */
export function useServiceWorkerStatus(): ServiceWorkerStatus {
  return useSyncExternalStore(subscribeToServiceWorker, serviceWorkerStatus);
}
