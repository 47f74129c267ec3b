/**
 * Starts the stand-in company issuer for the end-to-end tests of the external-issuer mode (see
 * server/identity/testing/stand-in-issuer.ts) on a fixed loopback port, and stops it on SIGTERM.
 * The second Enclave server of playwright.config.ts trusts it through OIDC_ISSUER_URL.
 */
import { startStandInIssuer } from '../../server/identity/testing/stand-in-issuer.ts';
import { EXTERNAL_APP_URL, STAND_IN_PORT, STAND_IN_USERS } from './external-issuer.ts';

const standIn = await startStandInIssuer({
  port: STAND_IN_PORT,
  audience: `${EXTERNAL_APP_URL}/api`,
  clients: [{ clientId: 'enclave-web', redirectUris: [`${EXTERNAL_APP_URL}/auth/callback`] }],
  users: Object.values(STAND_IN_USERS),
});
console.log(`stand-in issuer at ${standIn.issuer}`);

const stop = () => void standIn.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
