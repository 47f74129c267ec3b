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
      oidcClientId: 'enclave-web',
      oidcScope: 'openid profile email',
      apiAudience: 'http://127.0.0.1:8080/api',
      externalIssuer: undefined,
      accessTokenTtlSeconds: 30 * 60,
      refreshTokenTtlSeconds: 7 * 24 * 60 * 60,
      trustProxyHops: 0,
      tls: undefined,
      maxRequestBodyBytes: 1024 * 1024,
      auditLogEnabled: true,
      logLevel: 'info',
      logFormat: 'json',
      masterKeyPath: path.resolve('.enclave', 'keys', 'master.key'),
      maxUploadBytes: 200 * 1024 * 1024,
      connectionStatementTimeoutMs: 30_000,
      connectionRowLimit: 100_000,
    });
    // Unset, connections may reach any host (development); production sets the list.
    expect(config.connectionAllowedHosts.allowsAnyHost).toBe(true);
  });

  it('keeps the master key in the data folder unless told otherwise', () => {
    expect(loadConfig({ DATA_DIR: '/var/lib/enclave' }).masterKeyPath).toBe(
      '/var/lib/enclave/keys/master.key',
    );
    expect(loadConfig({ ENCLAVE_MASTER_KEY_PATH: 'secrets/master.key' }).masterKeyPath).toBe(
      path.resolve('secrets/master.key'),
    );
  });

  it.each([
    ['1', 1024 * 1024],
    ['10240', 10240 * 1024 * 1024],
  ])('takes MAX_UPLOAD_MB=%s', (megabytes, bytes) => {
    expect(loadConfig({ MAX_UPLOAD_MB: megabytes }).maxUploadBytes).toBe(bytes);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://enclave.example.org/',
      DATA_DIR: '/var/lib/enclave',
      DATABASE_URL: 'postgres://u:p@db:5432/enclave',
      OIDC_ISSUER_URL: 'https://id.example.org/realms/lab',
      OIDC_CLIENT_ID: 'enclave',
      OIDC_AUDIENCE: 'https://enclave.example.org/api',
      OIDC_GROUPS_CLAIM: 'roles',
      OIDC_ADMIN_GROUP: 'enclave-admins',
      OIDC_REQUIRE_DPOP: 'false',
      OIDC_SCOPE: 'openid profile',
      JWT_ACCESS_TOKEN_EXPIRE_MINUTES: '15',
      JWT_REFRESH_TOKEN_EXPIRE_DAYS: '1',
      TRUST_PROXY_HOPS: '1',
      TLS_CERT_PATH: '/etc/tls/cert.pem',
      TLS_KEY_PATH: '/etc/tls/key.pem',
      MAX_REQUEST_BODY_KB: '64',
      AUDIT_LOG_ENABLED: 'false',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'text',
      JWT_PRIVATE_KEY_PATH: '/etc/enclave/jwt.pem',
      ENCLAVE_MASTER_KEY_PATH: '/etc/enclave/master.key',
      MAX_UPLOAD_MB: '50',
      CONNECTION_STATEMENT_TIMEOUT_MS: '5000',
      CONNECTION_ROW_LIMIT: '1000',
      CONNECTION_ALLOWED_HOSTS:
        'db.example.org,*.lab.example.org, 10.20.0.0/16, fd00::/8, 192.0.2.7',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      publicUrl: 'https://enclave.example.org',
      dataDir: '/var/lib/enclave',
      databaseUrl: 'postgres://u:p@db:5432/enclave',
      oidcIssuer: 'https://id.example.org/realms/lab',
      oidcClientId: 'enclave',
      oidcScope: 'openid profile',
      apiAudience: 'https://enclave.example.org/api',
      externalIssuer: {
        url: 'https://id.example.org/realms/lab',
        clientId: 'enclave',
        groupsClaim: 'roles',
        adminGroup: 'enclave-admins',
        requireDpop: false,
      },
      accessTokenTtlSeconds: 15 * 60,
      refreshTokenTtlSeconds: 24 * 60 * 60,
      trustProxyHops: 1,
      tls: { certPath: '/etc/tls/cert.pem', keyPath: '/etc/tls/key.pem' },
      maxRequestBodyBytes: 64 * 1024,
      auditLogEnabled: false,
      logLevel: 'debug',
      logFormat: 'text',
      jwtPrivateKeyPath: '/etc/enclave/jwt.pem',
      masterKeyPath: '/etc/enclave/master.key',
      maxUploadBytes: 50 * 1024 * 1024,
      connectionStatementTimeoutMs: 5000,
      connectionRowLimit: 1000,
    });
    expect(config.connectionAllowedHosts.entries).toEqual([
      'db.example.org',
      '*.lab.example.org',
      '10.20.0.0/16',
      'fd00::/8',
      '192.0.2.7',
    ]);
  });

  describe('CONNECTION_ALLOWED_HOSTS', () => {
    it('takes an unset, empty or blank list as "any host"', () => {
      for (const value of [undefined, '', '  ']) {
        const list = loadConfig({ CONNECTION_ALLOWED_HOSTS: value }).connectionAllowedHosts;
        expect(list.allowsAnyHost).toBe(true);
      }
    });

    it('reads each kind of entry and holds hosts to it', () => {
      const list = loadConfig({
        CONNECTION_ALLOWED_HOSTS: 'DB.example.org, *.lab.example.org, 10.0.0.0/8, ::1',
      }).connectionAllowedHosts;
      expect(list.allowsAnyHost).toBe(false);
      expect(list.mayAllow('db.example.org')).toBe(true);
      expect(list.mayAllow('pg.lab.example.org')).toBe(true);
      expect(list.mayAllow('10.200.0.1')).toBe(true);
      expect(list.mayAllow('::1')).toBe(true);
      expect(list.mayAllow('127.0.0.1')).toBe(false);
      expect(list.mayAllow('169.254.169.254')).toBe(false);
    });

    it.each([
      ['10.0.0.0/33', 'prefix length'],
      ['fd00::/129', 'prefix length'],
      ['10.0.0.1/8', 'bits set past'],
      ['10.0.0/8', 'not a CIDR range'],
      ['http://db.example.org', 'not a CIDR range'],
      ['db.example.org:5432', 'not a host name'],
      ['*', 'not a host name'],
      ['*.*.example.org', 'not a host name'],
      ['127.1', 'numeric label'],
      ['fe80::1%eth0', 'IPv6 zone'],
    ])('refuses %j, naming the variable and the entry', (entry, reason) => {
      const environment = { CONNECTION_ALLOWED_HOSTS: `db.example.org, ${entry}, 10.1.0.0/16` };
      expect(() => loadConfig(environment)).toThrow(ConfigError);
      expect(() => loadConfig(environment)).toThrow(`CONNECTION_ALLOWED_HOSTS: "${entry}"`);
      expect(() => loadConfig(environment)).toThrow(reason);
    });

    it('refuses an empty entry', () => {
      expect(() => loadConfig({ CONNECTION_ALLOWED_HOSTS: 'db.example.org,,10.0.0.0/8' })).toThrow(
        /CONNECTION_ALLOWED_HOSTS: An entry is empty/,
      );
      expect(() => loadConfig({ CONNECTION_ALLOWED_HOSTS: ',' })).toThrow(ConfigError);
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
    [{ OIDC_ISSUER_URL: 'https://id.example.org' }, 'OIDC_ISSUER_URL'],
    [{ OIDC_CLIENT_ID: 'enclave' }, 'OIDC_ISSUER_URL'],
    [{ OIDC_ISSUER_URL: 'ftp://id.example.org', OIDC_CLIENT_ID: 'x' }, 'OIDC_ISSUER_URL'],
    [{ OIDC_AUDIENCE: 'https://api.example.org' }, 'OIDC_AUDIENCE'],
    [{ OIDC_SCOPE: 'openid' }, 'OIDC_SCOPE'],
    [
      { OIDC_ISSUER_URL: 'https://id.example.org', OIDC_CLIENT_ID: 'x', OIDC_SCOPE: 'profile' },
      'OIDC_SCOPE',
    ],
    [
      { OIDC_ISSUER_URL: 'https://id.example.org', OIDC_CLIENT_ID: 'x', OIDC_GROUPS_CLAIM: 'a b' },
      'OIDC_GROUPS_CLAIM',
    ],
    [{ OIDC_REQUIRE_DPOP: 'sometimes' }, 'OIDC_REQUIRE_DPOP'],
    [
      { OIDC_ISSUER_URL: 'https://id.example.org', OIDC_CLIENT_ID: 'x', OIDC_AUDIENCE: 'x' },
      'OIDC_AUDIENCE',
    ],
    [{ JWT_ACCESS_TOKEN_EXPIRE_MINUTES: '0' }, 'JWT_ACCESS_TOKEN_EXPIRE_MINUTES'],
    [{ JWT_REFRESH_TOKEN_EXPIRE_DAYS: '-1' }, 'JWT_REFRESH_TOKEN_EXPIRE_DAYS'],
    [{ TRUST_PROXY_HOPS: '11' }, 'TRUST_PROXY_HOPS'],
    [{ MAX_UPLOAD_MB: '0' }, 'MAX_UPLOAD_MB'],
    [{ MAX_UPLOAD_MB: '10241' }, 'MAX_UPLOAD_MB'],
    [{ MAX_UPLOAD_MB: '1.5' }, 'MAX_UPLOAD_MB'],
    [{ MAX_UPLOAD_MB: '200MB' }, 'MAX_UPLOAD_MB'],
    [{ CONNECTION_STATEMENT_TIMEOUT_MS: '0' }, 'CONNECTION_STATEMENT_TIMEOUT_MS'],
    [{ CONNECTION_STATEMENT_TIMEOUT_MS: '30s' }, 'CONNECTION_STATEMENT_TIMEOUT_MS'],
    [{ CONNECTION_ROW_LIMIT: '0' }, 'CONNECTION_ROW_LIMIT'],
    [{ CONNECTION_ROW_LIMIT: '1e9' }, 'CONNECTION_ROW_LIMIT'],
  ])('refuses %o naming %s', (environment, variable) => {
    expect(() => loadConfig(environment)).toThrow(ConfigError);
    expect(() => loadConfig(environment)).toThrow(variable);
  });

  describe('the plugin site', () => {
    it('defaults to another site than the app, and the built plugins', () => {
      expect(loadConfig({})).toMatchObject({
        pluginOrigin: 'http://localhost:8081',
        pluginPort: 8081,
        pluginsDir: path.resolve('dist/plugins'),
        pluginRuntimeDir: path.resolve('dist/plugin-runtime'),
      });
      // An app on localhost gets its plugins on 127.0.0.1, another site.
      expect(loadConfig({ HOST: 'localhost' }).pluginOrigin).toBe('http://127.0.0.1:8081');
    });

    it('reads PLUGIN_ORIGIN and PLUGINS_DIR', () => {
      const config = loadConfig({
        PUBLIC_URL: 'https://enclave.example.org',
        PLUGIN_ORIGIN: 'https://plugins.example-usercontent.org:8443/',
        PLUGINS_DIR: '/opt/enclave/plugins',
      });
      expect(config).toMatchObject({
        pluginOrigin: 'https://plugins.example-usercontent.org:8443',
        pluginPort: 8443,
        pluginsDir: '/opt/enclave/plugins',
      });
      expect(loadConfig({ PLUGIN_ORIGIN: 'https://plugins.example.net' }).pluginPort).toBe(443);
    });

    it.each([
      ['http://127.0.0.1:8081', {}],
      ['http://localhost:9000', { PUBLIC_URL: 'http://localhost:8080' }],
      ['https://plugins.example.org', { PUBLIC_URL: 'https://enclave.example.org' }],
      ['http://plugins.example.org:8081', { PUBLIC_URL: 'https://example.org' }],
      ['https://a.b.example.co.uk', { PUBLIC_URL: 'https://c.example.co.uk' }],
    ])('refuses %s, the same site as the app', (origin, environment) => {
      expect(() => loadConfig({ ...environment, PLUGIN_ORIGIN: origin })).toThrow(
        /^Invalid configuration: PLUGIN_ORIGIN: .* is the same site as the app/,
      );
    });

    it.each([
      ['http://localhost:8081/plugins', 'must be an origin only'],
      ['http://user:secret@localhost:8081', 'must be an origin only'],
      ['ftp://localhost:8081', 'PLUGIN_ORIGIN'],
      ['http://localhost:8080', 'is PORT'],
    ])('refuses PLUGIN_ORIGIN=%s', (origin, reason) => {
      expect(() => loadConfig({ PLUGIN_ORIGIN: origin })).toThrow(ConfigError);
      expect(() => loadConfig({ PLUGIN_ORIGIN: origin })).toThrow(reason);
    });
  });

  describe('audit retention', () => {
    it('keeps audit events forever unless AUDIT_RETENTION_DAYS is set', () => {
      const config = loadConfig({ DATA_DIR: '/var/lib/enclave' });
      expect(config.auditRetentionDays).toBeUndefined();
      expect(config.auditArchiveDir).toBe('/var/lib/enclave/audit-archive');
      expect(loadConfig({ AUDIT_RETENTION_DAYS: '' }).auditRetentionDays).toBeUndefined();
    });

    it('reads AUDIT_RETENTION_DAYS and AUDIT_ARCHIVE_DIR', () => {
      const config = loadConfig({
        AUDIT_RETENTION_DAYS: '365',
        AUDIT_ARCHIVE_DIR: 'archive/audit',
      });
      expect(config.auditRetentionDays).toBe(365);
      expect(config.auditArchiveDir).toBe(path.resolve('archive/audit'));
      expect(loadConfig({ AUDIT_RETENTION_DAYS: '1' }).auditRetentionDays).toBe(1);
    });

    it.each([
      ['0', 'at least 1 day'],
      ['-3', 'a whole number of days'],
      ['1.5', 'a whole number of days'],
      ['30d', 'a whole number of days'],
      [' 30', 'a whole number of days'],
      ['1e3', 'a whole number of days'],
      ['99999999999999999999', 'at most 36500 days'],
    ])('refuses AUDIT_RETENTION_DAYS=%j, saying why', (value, reason) => {
      const load = () => loadConfig({ AUDIT_RETENTION_DAYS: value });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(`AUDIT_RETENTION_DAYS: ${reason}`);
    });
  });
});
