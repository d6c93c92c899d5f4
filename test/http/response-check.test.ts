/** The strict response check of src/http/response-check.ts, firing and not firing. */
import { describe, expect, it } from 'vitest';
import { mismatch, type OpenApiDoc } from '../../src/http/response-check.js';

const doc: OpenApiDoc = { components: { schemas: { Ref: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } } } };
const obj = { type: 'object', properties: { id: { type: 'integer' }, title: { type: ['string', 'null'] }, ref: { $ref: '#/components/schemas/Ref' } }, required: ['id'] };

describe('response check', () => {
  it('accepts a value that conforms, nullable fields and refs included', () => {
    expect(mismatch({ id: 1, title: null, ref: { n: 2 } }, obj, doc)).toBeNull();
    expect(mismatch({ a: 1, b: 2 }, { type: 'object', additionalProperties: { type: 'integer' } }, doc)).toBeNull();
  });
  it('refuses undocumented properties, missing required ones, wrong types and untyped values', () => {
    expect(mismatch({ id: 1, extra: true }, obj, doc)).toBe('$.extra: not in the document');
    expect(mismatch({ title: 'x' }, obj, doc)).toBe('$.id: required but missing');
    expect(mismatch({ id: 1.5 }, obj, doc)).toMatch(/^\$\.id: expected integer/);
    expect(mismatch({ id: 1, ref: {} }, obj, doc)).toBe('$.ref.n: required but missing');
    expect(mismatch([1], { type: 'array', items: {} }, doc)).toBe('$[0]: the document leaves this value untyped');
    expect(mismatch({ a: 1 }, { type: 'object' }, doc)).toBe('$: the document leaves the properties of this object untyped');
    expect(mismatch('x', { enum: ['a', 'b'] }, doc)).toMatch(/is not one of/);
  });
});
