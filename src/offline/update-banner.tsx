/** Tells the user when a new version of the app is installed and lets them switch to it. */
import { applyUpdate } from './register-service-worker.ts';
import { useServiceWorkerStatus } from './use-service-worker-status.ts';

export function UpdateBanner() {
  const status = useServiceWorkerStatus();
  if (status.kind !== 'registered' || !status.updateWaiting) return null;
  return (
    <div className="banner" role="status">
      <span>A new version of Enclave is ready.</span>
      <button type="button" className="button button-small" onClick={applyUpdate}>
        Reload to update
      </button>
    </div>
  );
}
