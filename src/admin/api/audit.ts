import { z } from 'zod';
import { AUDIT_EVENTS } from '../../audit/events.js';
import { listAudit } from '../audit-query.js';
import { operation, type Operation } from './operation.js';
import { rowIdCursor, auditEntrySchema } from './schemas.js';

const auditQuery = z.object({
  event: z.enum(AUDIT_EVENTS).optional().describe('Only this event'),
  memberId: z.string().max(36).optional().describe('Only rows about this member'),
  actor: z.string().max(64).optional().describe('Only rows by this actor: a member id, `token:<name>`, `cli`, `scim:<client>`…'),
  from: z.iso.datetime({ offset: true }).optional().describe('At or after this time'),
  to: z.iso.datetime({ offset: true }).optional().describe('Before this time'),
  cursor: rowIdCursor.optional().describe('`next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const auditOperations: Operation[] = [
  operation({
    id: 'listAudit', method: 'get', path: '/admin/api/audit', tag: 'audit', permission: 'accounts:read',
    summary: 'The audit log, newest first, filtered; keyset pagination with `next`',
    query: auditQuery,
    responses: { 200: z.object({ events: z.array(auditEntrySchema), next: z.string().nullable() }).meta({ id: 'AuditPage' }) },
    async handler({ runtime, query }) {
      return { body: await listAudit(runtime, { ...query, from: query.from ? new Date(query.from) : undefined, to: query.to ? new Date(query.to) : undefined }) };
    },
  }),
];
