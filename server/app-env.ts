/**
 * What every API handler finds on its context, shared by the composition root and the feature
 * route folders (a types-only module, so features need not import the app itself).
 */
import type { HttpBindings } from '@hono/node-server';
import type { AuditTrail } from './audit/index.ts';
import type { Principal } from './identity/index.ts';
import type { Keyring } from './keyring/index.ts';
import type { Store } from './store/index.ts';

export interface AppEnv {
  Bindings: HttpBindings;
  Variables: {
    requestId: string;
    store: Store;
    audit: AuditTrail;
    keyring: Keyring;
    /** The caller's address, as far as the trusted proxies vouch for it. */
    clientIp: string;
    /** The authenticated caller; set on every non-public API route. */
    principal: Principal;
  };
}
