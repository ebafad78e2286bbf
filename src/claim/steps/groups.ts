import { selectableGroupsByIds, groupsInPool, searchGroups } from '../../groups/groups.js';
import { field, type Step } from './step.js';

function submittedIds(body: unknown): string[] {
  const raw = (body as Record<string, unknown> | undefined)?.groups;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return [...new Set(list.filter((value): value is string => typeof value === 'string' && value.length <= 36))];
}

export const groupsStep: Step = {
  id: 'groups',
  title: 'claim.groups.title',
  template: 'claim/groups.njk',
  isRequired: (config, _member, { purpose }) => purpose === 'claim' && config.firstAccess.groups.enabled,
  async locals({ runtime, flow, req }) {
    const { pool, min, max } = runtime.config.firstAccess.groups;
    const searching = req.method === 'POST' && field(req.body, 'intent') === 'search';
    const query = searching ? field(req.body, 'q').trim().slice(0, 100) : '';
    const poolGroups = await groupsInPool(runtime.db, pool);
    const poolIds = new Set(poolGroups.map((group) => group.id));
    const selected = new Set(searching ? submittedIds(req.body) : flow.data.groupIds ?? []);
    const found = query ? (await searchGroups(runtime.db, query)).filter((group) => !poolIds.has(group.id)) : [];
    const kept = (await selectableGroupsByIds(runtime.db, [...selected])).filter((group) => !poolIds.has(group.id) && !found.some((f) => f.id === group.id));
    return { poolGroups, found, kept, selected: [...selected], query, min, max };
  },
  async submit({ runtime, flow, req }) {
    const { min, max } = runtime.config.firstAccess.groups;
    // The search button shares the form, so ticked boxes survive a search without any script.
    if (field(req.body, 'intent') === 'search') return { ok: false, status: 200, errors: [] };
    const ids = submittedIds(req.body);
    const groups = await selectableGroupsByIds(runtime.db, ids);
    if (groups.length !== ids.length) return { ok: false, errors: [{ field: 'groups', message: 'claim.groups.unknown' }] };
    if (ids.length < min) return { ok: false, errors: [{ field: 'groups', message: 'claim.groups.atLeast', params: { count: min } }], locals: { selected: ids } };
    if (ids.length > max) return { ok: false, errors: [{ field: 'groups', message: 'claim.groups.atMost', params: { count: max } }], locals: { selected: ids } };
    return { ok: true, data: { ...flow.data, groupIds: ids } };
  },
};
