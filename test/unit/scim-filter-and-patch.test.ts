import { filterToSql, parseFilter, type FilterColumn } from '../../src/scim/filter.js';
import { ScimError } from '../../src/scim/errors.js';
import { readPatch } from '../../src/scim/patch.js';

const COLUMNS: Record<string, FilterColumn> = {
  username: { sql: 'su.user_name_normalized', caseInsensitive: true },
  externalid: { sql: 'su.external_id', caseInsensitive: false },
};
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

test('filter values never reach the SQL text, only bound parameters (SQL injection)', () => {
  const hostile = `x' OR '1'='1'; DROP TABLE members; --`;
  const condition = filterToSql(parseFilter(`userName eq "${hostile}" or externalId co "50%_off"`), COLUMNS, [USER]);
  expect(condition.sql).toBe("(su.user_name_normalized = :f0 OR su.external_id LIKE :f1 ESCAPE '\\')");
  expect(condition.params).toEqual({ f0: hostile.toLowerCase(), f1: '%50\\%\\_off%' });
});

test('attribute names match without regard to case or the core schema URN; anything else is refused (column probing)', () => {
  expect(filterToSql(parseFilter(`${USER}:USERNAME sw "Ab"`), COLUMNS, [USER])).toEqual({ sql: "su.user_name_normalized LIKE :f0 ESCAPE '\\'", params: { f0: 'ab%' } });
  expect(() => filterToSql(parseFilter('passwordHash pr'), COLUMNS, [USER])).toThrow(ScimError);
  expect(() => filterToSql(parseFilter('userName gt "a"'), COLUMNS, [USER])).toThrow(/not supported/);
});

test('Entra ID patch spellings become RFC 7644 operations; id and meta paths are refused (mutability)', () => {
  const ops = readPatch({
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Add', value: { active: 'True', title: 'x' } },
      { op: 'Remove', path: 'members', value: [{ $ref: null, value: 'abc' }, { value: 'def' }] },
    ],
  });
  expect(ops).toEqual([
    { op: 'replace', path: 'active', value: false },
    { op: 'add', path: undefined, value: { active: true, title: 'x' } },
    { op: 'remove', path: 'members[value eq "abc"]' },
    { op: 'remove', path: 'members[value eq "def"]' },
  ]);
  const refused = (operation: unknown) => {
    try {
      readPatch({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [operation] });
    } catch (error) {
      return (error as ScimError).scimType;
    }
    return undefined;
  };
  expect(refused({ op: 'replace', path: 'id', value: 'y' })).toBe('mutability');
  expect(refused({ op: 'replace', path: 'meta.created', value: 'y' })).toBe('mutability');
  expect(refused({ op: 'remove', path: 'members', value: [{ value: 'a"] or [value pr' }] })).toBe('invalidSyntax');
});
