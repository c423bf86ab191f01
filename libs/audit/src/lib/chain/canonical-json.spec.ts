import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';
import { chainHash, GENESIS_HASH } from './chain-hash.js';

describe('canonical JSON and the chain hash', () => {
  it('[SE-3.2] writes members sorted by UTF-16 code units, without whitespace, dropping undefined', () => {
    expect(canonicalJson({ b: [1, 'x', null, true], a: { d: undefined, c: 1.5 }, 'é': 0, B: -0, '\ud83d\ude00': 1, '\ufb01': 2 })).toBe(
      '{"B":0,"a":{"c":1.5},"b":[1,"x",null,true],"é":0,"\ud83d\ude00":1,"\ufb01":2}',
    );
  });

  it('[SE-3.2] gives the same text for a document that went through JSON and back (as through jsonb)', () => {
    const document = { z: 1e21, y: 1e-7, x: 0.1 + 0.2, w: 'line\u2028"quoted"\\', v: [] };
    expect(canonicalJson(JSON.parse(JSON.stringify(document)))).toBe(canonicalJson(document));
  });

  it('[SE-3.2] refuses values JSON cannot hold', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
  });

  it('[SE-3.2] hashes sha256(previous hash bytes || UTF-8 canonical text)', () => {
    const expected = createHash('sha256').update(Buffer.concat([Buffer.alloc(32), Buffer.from('{"a":"é"}', 'utf8')])).digest('hex');
    expect(chainHash(GENESIS_HASH, '{"a":"é"}')).toBe(expected);
  });
});
