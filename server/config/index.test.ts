import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.ts';

describe('loadConfig', () => {
  it('runs on embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:8080',
      dataDir: path.resolve('.enclave'),
      databaseUrl: undefined,
      oidcIssuer: 'http://127.0.0.1:8080/oidc',
      tls: undefined,
      maxRequestBodyBytes: 1024 * 1024,
      auditLogEnabled: true,
      logLevel: 'info',
      logFormat: 'json',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://enclave.example.org/',
      DATA_DIR: '/var/lib/enclave',
      DATABASE_URL: 'postgres://u:p@db:5432/enclave',
      OIDC_ISSUER: 'https://id.example.org/realms/lab/',
      TLS_CERT_PATH: '/etc/tls/cert.pem',
      TLS_KEY_PATH: '/etc/tls/key.pem',
      MAX_REQUEST_BODY_KB: '64',
      AUDIT_LOG_ENABLED: 'false',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'text',
      JWT_PRIVATE_KEY_PATH: '/etc/enclave/jwt.pem',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      publicUrl: 'https://enclave.example.org',
      dataDir: '/var/lib/enclave',
      databaseUrl: 'postgres://u:p@db:5432/enclave',
      oidcIssuer: 'https://id.example.org/realms/lab',
      tls: { certPath: '/etc/tls/cert.pem', keyPath: '/etc/tls/key.pem' },
      maxRequestBodyBytes: 64 * 1024,
      auditLogEnabled: false,
      logLevel: 'debug',
      logFormat: 'text',
      jwtPrivateKeyPath: '/etc/enclave/jwt.pem',
    });
  });

  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])(
    'allows the demo seed on loopback host %s',
    (host) => {
      expect(loadConfig({ ENCLAVE_SEED: 'demo', HOST: host }).seed).toBe('demo');
    },
  );

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({
      port: 8080,
      databaseUrl: undefined,
    });
  });

  it.each([
    [{ PORT: '80a' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PUBLIC_URL: 'javascript:alert(1)' }, 'PUBLIC_URL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT'],
    [{ AUDIT_LOG_ENABLED: 'maybe' }, 'AUDIT_LOG_ENABLED'],
    [{ TLS_CERT_PATH: '/only/cert.pem' }, 'TLS_CERT_PATH'],
    [{ MAX_REQUEST_BODY_KB: '0' }, 'MAX_REQUEST_BODY_KB'],
    [{ ENCLAVE_SEED: 'demo', HOST: '0.0.0.0' }, 'ENCLAVE_SEED'],
    [{ ENCLAVE_SEED: 'demo', HOST: '192.168.1.10' }, 'ENCLAVE_SEED'],
    [{ ENCLAVE_SEED: 'demo', HOST: '127.0.0.1.evil.test' }, 'ENCLAVE_SEED'],
    [{ ENCLAVE_SEED: 'demo', HOST: '::' }, 'ENCLAVE_SEED'],
    [{ ENCLAVE_SEED: 'everything' }, 'ENCLAVE_SEED'],
  ])('refuses %o naming %s', (environment, variable) => {
    expect(() => loadConfig(environment)).toThrow(ConfigError);
    expect(() => loadConfig(environment)).toThrow(variable);
  });
});
