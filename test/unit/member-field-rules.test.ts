import { PROFILE_FIELDS } from '../../src/config/schema.js';
import type { Database } from '../../src/db/database.js';
import { FIELD_LENGTHS, isLocale, profileFieldProblem } from '../../src/members/field-rules.js';
import { openTestDatabase } from '../support/test-database.js';

describe('member field rules', () => {
  it.each(['en', 'en-GB', 'zh-Hant-TW', 'de-CH-1996'])('takes %j for a locale', (tag) => {
    expect(isLocale(tag)).toBe(true);
    expect(profileFieldProblem('locale', tag)).toBeUndefined();
  });

  // 'en-a-b' is shaped like a tag but is no language tag (an extension singleton with nothing after it): one rule for
  // the import, the profile step, the SSO prefill and the terms acceptance.
  it.each(['e', 'english please', 'en_GB', 'en-', `en-${'x'.repeat(9)}`, `en${'-abcdefgh'.repeat(4)}`, 'en-a-b'])('refuses %j for a locale', (tag) => {
    expect(isLocale(tag)).toBe(false);
    expect(profileFieldProblem('locale', tag)).toBeDefined();
  });

  it('counts characters as the database does (code points), not UTF-16 units', () => {
    const emoji = '😀'.repeat(FIELD_LENGTHS.title);
    expect(emoji.length).toBe(2 * FIELD_LENGTHS.title);
    expect(profileFieldProblem('title', emoji)).toBeUndefined();
    expect(profileFieldProblem('title', `${emoji}x`)).toBe('too_long');
  });

  // Attack: a value with a line break or a control character forging a log line or a CSV row.
  it.each(['Ada\nLovelace', 'Ada\rLovelace', 'Ada\u0000', 'Ada\u0085', 'Ada\u2028Lovelace', 'Ada\u001b[31m'])('refuses %j in every profile field', (value) => {
    for (const field of PROFILE_FIELDS) expect([field, profileFieldProblem(field, value)]).toEqual([field, 'malformed']);
  });

  it('checks the phone format', () => {
    expect(profileFieldProblem('phone', '+44 (20) 7946-0000')).toBeUndefined();
    expect(profileFieldProblem('phone', 'call me')).toBe('malformed');
  });
});

describe('member field lengths against the migrated columns, on the engine under test', () => {
  let db: Database;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
  });
  afterAll(() => close());

  it('gives every field exactly the length of its column', async () => {
    const metadata = db.source.getMetadata(db.entities.Member);
    const runner = db.source.createQueryRunner();
    const table = await runner.getTable('members').finally(() => runner.release());
    for (const [field, length] of Object.entries(FIELD_LENGTHS)) {
      const name = metadata.findColumnWithPropertyName(field)!.databaseName;
      expect([field, Number(table!.findColumnByName(name)!.length)]).toEqual([field, length]);
    }
  });
});
