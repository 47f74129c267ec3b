/** Unit tests of reading the sign-in settings out of the public configuration. */
import { describe, expect, it } from 'vitest';
import { authSettingsIn } from './auth-settings.ts';

const auth = {
  issuer: 'http://127.0.0.1:8080/oidc',
  clientId: 'enclave-web',
  scope: 'openid profile offline_access',
};

describe('authSettingsIn', () => {
  it('takes the auth part of the configuration', () => {
    expect(authSettingsIn({ version: '0.1.0', auth })).toEqual(auth);
  });

  it('refuses a configuration without usable sign-in settings', () => {
    for (const config of [
      { version: '0.1.0' },
      { auth: { ...auth, issuer: 'javascript:alert(1)' } },
      { auth: { ...auth, clientId: '' } },
      { auth: { issuer: auth.issuer } },
      null,
    ]) {
      expect(() => authSettingsIn(config)).toThrow(
        expect.objectContaining({ code: 'auth_not_configured' }),
      );
    }
  });
});
