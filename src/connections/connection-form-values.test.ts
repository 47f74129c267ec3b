/** Unit tests of turning the connection forms into requests, the write-only password above all. */
import { describe, expect, it } from 'vitest';
import type { Connection } from '../api/connections-api.ts';
import {
  changesOf,
  emptyConnectionForm,
  formValuesOf,
  movesPassword,
  newConnectionOf,
  portNumber,
} from './connection-form-values.ts';

const connection: Connection = {
  id: '0b8c1f9e-6a55-4a47-9d5e-3f6b0d1c2a77',
  name: 'LIMS',
  kind: 'postgres',
  host: 'db.lab.example.org',
  port: 5432,
  database: 'lims',
  user: 'reader',
  ssl: true,
  hasPassword: true,
  tags: {},
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
  myPermission: 'edit',
  allowedActions: ['connection.view', 'connection.update'],
};

describe('portNumber', () => {
  it('takes whole numbers from 1 to 65535 only', () => {
    expect(portNumber(' 5432 ')).toBe(5432);
    for (const text of ['0', '65536', '54x', '', '-1', '1.5']) expect(portNumber(text)).toBeNull();
  });
});

describe('newConnectionOf', () => {
  it('is null until every field is filled in', () => {
    expect(newConnectionOf(emptyConnectionForm)).toBeNull();
    expect(newConnectionOf({ ...formValuesOf(connection), password: '', name: 'x' })).toBeNull();
  });

  it('builds a PostgreSQL connection with the port as a number', () => {
    expect(newConnectionOf({ ...formValuesOf(connection), password: 's3cret' })).toEqual({
      name: 'LIMS',
      kind: 'postgres',
      host: 'db.lab.example.org',
      port: 5432,
      database: 'lims',
      user: 'reader',
      password: 's3cret',
      ssl: true,
    });
  });
});

describe('editing', () => {
  it('starts without a password', () => {
    expect(formValuesOf(connection).password).toBe('');
  });

  it('sends only what changed, and the password only when one was typed', () => {
    const values = formValuesOf(connection);
    expect(changesOf(connection, values)).toEqual({});
    expect(changesOf(connection, { ...values, name: ' LIMS 2 ' })).toEqual({ name: 'LIMS 2' });
    expect(changesOf(connection, { ...values, password: 'new' })).toEqual({ password: 'new' });
  });

  it('knows which changes send the password somewhere new', () => {
    const values = formValuesOf(connection);
    expect(movesPassword(connection, values)).toBe(false);
    expect(movesPassword(connection, { ...values, database: 'other', name: 'x' })).toBe(false);
    expect(movesPassword(connection, { ...values, host: 'replica' })).toBe(true);
    expect(movesPassword(connection, { ...values, port: '6432' })).toBe(true);
    expect(movesPassword(connection, { ...values, user: 'admin' })).toBe(true);
    expect(movesPassword(connection, { ...values, ssl: false })).toBe(true);
  });
});
