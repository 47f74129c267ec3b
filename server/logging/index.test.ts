import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './index.ts';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes one JSON object a line, at the level asked for', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'warn', format: 'json', destination });
    logger.info('hidden');
    logger.warn({ requestId: 'r1' }, 'shown');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 40, requestId: 'r1', msg: 'shown' });
  });

  it('writes one readable line an event in text format', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', format: 'text', destination });
    logger.info({ port: 8080 }, 'listening');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/INFO.*listening.*8080/);
    expect(() => JSON.parse(lines[0]!)).toThrow();
  });

  it('redacts credentials wherever a caller puts them', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ level: 'info', format: 'json', destination });
    logger.info(
      {
        req: { headers: { authorization: 'DPoP eyJhbGciOi', cookie: 'sid=1', dpop: 'eyJ0eXAi' } },
        connection: { password: 'hunter2', secret: 's3cret', token: 'tok' },
      },
      'request',
    );
    expect(lines[0]).not.toMatch(/eyJhbGciOi|sid=1|eyJ0eXAi|hunter2|s3cret|"tok"/);
  });
});
