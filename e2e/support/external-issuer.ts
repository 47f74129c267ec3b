/**
 * The set-up of the external-issuer end-to-end tests, shared by the Playwright configuration,
 * the stand-in issuer it starts and the spec: a second Enclave server that trusts a stand-in
 * company issuer instead of its built-in provider.
 */

/** Where the stand-in company issuer listens. */
export const STAND_IN_PORT = Number(process.env.E2E_STAND_IN_PORT ?? 18090);
export const STAND_IN_ISSUER = `http://127.0.0.1:${STAND_IN_PORT}/realms/stand-in`;

/** The Enclave server that trusts it. */
export const EXTERNAL_APP_PORT = Number(process.env.E2E_EXTERNAL_PORT ?? 18083);
export const EXTERNAL_APP_URL = `http://127.0.0.1:${EXTERNAL_APP_PORT}`;

/** The issuer group whose members are Enclave administrators. */
export const ADMIN_GROUP = 'lab-admins';

/** The people the stand-in knows. */
export const STAND_IN_USERS = {
  erin: {
    username: 'erin',
    password: 'erin-issuer-password',
    name: 'Erin Evans',
    email: 'erin@lab.example',
    groups: [ADMIN_GROUP, 'oncology'],
  },
  frank: {
    username: 'frank',
    password: 'frank-issuer-password',
    name: 'Frank Fischer',
    email: 'frank@lab.example',
    groups: ['chemistry'],
  },
};
