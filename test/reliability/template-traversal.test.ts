/**
 * Resource template variables that would lead a function outside its template
 * (lambda-src/registry/template-traversal.ts); schema-escape.test.ts fuzzes the same
 * through the handler.
 */
import { climbsOutOfTemplate } from '../../lambda-src/registry/template-traversal';

test.each([
  ['readme.md', false],
  ['a%20b.txt', false],
  ['..hidden', false],
  ['%252e%252e', false], // decodes once to %2e%2e: a name, not a segment
  ['..', true],
  ['.', true],
  ['%2e%2e', true],
  ['..%2fsecrets', true],
  ['a%2Fb', true],
  ['%5c..%5csecrets', true],
  ['..\\secrets', true],
  ['%E0%A4%A', true], // malformed encoding
])('{name} = %j: climbs out %s', (value, climbs) => {
  expect(climbsOutOfTemplate({ name: value })).toBe(climbs);
});

test('a reserved expansion ({+path}) may hold the separators it matched, not dot segments', () => {
  expect(climbsOutOfTemplate({ path: 'guides/intro.md' })).toBe(false);
  expect(climbsOutOfTemplate({ path: 'guides/../../etc/passwd' })).toBe(true);
  expect(climbsOutOfTemplate({ path: ['a', 'b%2F..'] })).toBe(true);
});
