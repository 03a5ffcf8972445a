import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineSupportedVersions, inMajorRange, versionsFor } from '../src/index';

describe('SUPPORTED_VERSIONS: module name -> one range of majors', () => {
  it('defineSupportedVersions freezes good ranges and refuses another form', () => {
    const versions = defineSupportedVersions({ pg: '>=8 <9', mysql2: '>=3 <4' });
    assert.ok(Object.isFrozen(versions));
    assert.deepEqual(versionsFor(versions, 'pg'), ['>=8 <9'], 'the list InstrumentationNodeModuleDefinition takes');
    for (const bad of ['^8', '>=8', '>=9 <8', '>=8 <8', '8.x']) {
      assert.throws(
        () => defineSupportedVersions({ pg: bad }),
        /the supported versions of pg are not a range of majors/,
        bad,
      );
    }
  });

  const cases: Array<[unknown, string, boolean]> = [
    ['4.0.0', '>=4 <6', true],
    ['5.12.8', '>=4 <6', true],
    ['6.0.0', '>=4 <6', false],
    ['3.9.9', '>=4 <6', false],
    [undefined, '>=4 <6', false],
    ['5', '>=4 <6', false],
    ['5.0.0', '^5', false],
  ];
  for (const [version, range, expected] of cases) {
    it(`inMajorRange(${String(version)}, ${range}) is ${expected}`, () =>
      assert.equal(inMajorRange(version, range), expected));
  }
});
