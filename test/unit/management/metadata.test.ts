import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ManagementError } from '../../../src/core/errors.js';
import { parseMetadata } from '../../../src/management/metadata.js';

const invalidBody = (err: unknown) => err instanceof ManagementError && err.statusCode === 400 && err.errorCode === 'invalid_body';

describe('metadata rules', () => {
  test('null and {} both clear', () => {
    assert.deepEqual({ ...parseMetadata('m', null) }, {});
    assert.deepEqual({ ...parseMetadata('m', {}) }, {});
  });

  test('25 keys of 255 characters with 255-character values are accepted', () => {
    const value: Record<string, string> = {};
    for (let i = 0; i < 25; i++) value[`${i}`.padEnd(255, 'k')] = 'v'.repeat(255);
    assert.equal(Object.keys(parseMetadata('m', value)).length, 25);
  });

  test('26 keys, a 256-character key or value, or a bad key character are refused', () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 26; i++) many[`k${i}`] = 'v';
    assert.throws(() => parseMetadata('m', many), invalidBody);
    assert.throws(() => parseMetadata('m', { ['k'.repeat(256)]: 'v' }), invalidBody);
    assert.throws(() => parseMetadata('m', { k: 'v'.repeat(256) }), invalidBody);
    for (const key of ['a b', 'a.b', 'ü', '', 'a/b', 'a:b']) assert.throws(() => parseMetadata('m', { [key]: 'v' }), invalidBody, key);
  });

  test('values must be strings; the whole value must be an object or null', () => {
    for (const v of [1, true, null, {}, [], undefined]) assert.throws(() => parseMetadata('m', { k: v }), invalidBody, String(v));
    for (const v of ['x', 1, [], ['a'], true]) assert.throws(() => parseMetadata('m', v), invalidBody, String(v));
  });

  test('__proto__ and constructor are plain data in a prototype-free result', () => {
    const input = JSON.parse('{"__proto__":"p","constructor":"c","toString":"t"}') as Record<string, unknown>;
    const out = parseMetadata('m', input);
    assert.equal(Object.getPrototypeOf(out), null);
    assert.deepEqual(Object.keys(out), ['__proto__', 'constructor', 'toString']);
    assert.equal(out['__proto__'], 'p');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
