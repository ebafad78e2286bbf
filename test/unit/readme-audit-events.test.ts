import { readFileSync } from 'node:fs';
import { AUDIT_EVENTS } from '../../src/audit/events.js';

describe('the README\'s list of audit events', () => {
  it('names every event of the closed list, and no other', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('The events are a closed list in `src/audit/events.ts`:');
    expect(start).toBeGreaterThan(0);
    const list = readme.slice(start, readme.indexOf('.\n', readme.indexOf('token.refused', start)));
    const named = [...list.matchAll(/`([a-z_]+\.[a-z_]+)`/g)].map((match) => match[1]);
    expect(named.sort()).toEqual([...AUDIT_EVENTS].sort());
  });
});
