import { requestExport } from '../../src/export-jobs/request.js';
import { runExportJob } from '../../src/export-jobs/run.js';
import { deleteExpiredFiles } from '../../src/jobs/clean-up.js';
import { serverWorkers } from '../../src/jobs/workers.js';
import { inviteByEmail } from '../../src/members/invite.js';
import { findMemberByEmail } from '../../src/members/lookup.js';
import { signedInMember } from '../support/admin.js';
import { startHarness, type Harness } from '../support/harness.js';
import { mailsTo } from '../support/outbox.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await signedInMember(h, 'admin@example.com', 'Ada Admin');
  for (let index = 0; index < 30; index += 1) await inviteByEmail(h.runtime, { email: `export${index}@example.com`, actorId: 'test' });
});
afterAll(() => h.close());

const readyMails = () => mailsTo(h.dataDir, 'admin@example.com').filter((mail) => mail.includes('Subject: Your member export is ready'));

async function until(probe: () => Promise<boolean> | boolean, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('export jobs', () => {
  it('builds an export exactly once when two workers race for it, and mails one link', async () => {
    const admin = (await findMemberByEmail(h.runtime.db, 'admin@example.com'))!;
    const job = await requestExport(h.runtime, admin, { status: 'invited', search: 'export1' });
    await Promise.all([runExportJob(h.runtime, job.id), runExportJob(h.runtime, job.id), runExportJob(h.runtime, job.id)]);
    const row = await h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.ExportJob, { id: job.id });
    expect(row).toMatchObject({ state: 'ready', rowCount: 11 }); // export1 and export10–export19
    expect(await h.runtime.db.source.manager.countBy(h.runtime.db.entities.AuditEvent, { event: 'export.completed' })).toBe(1);
    expect(readyMails()).toHaveLength(1);
  });

  it('a job left running by a process that died is taken over by a new run and finished once', async () => {
    const admin = (await findMemberByEmail(h.runtime.db, 'admin@example.com'))!;
    const job = await requestExport(h.runtime, admin, { status: 'invited', search: 'export2' });
    const db = h.runtime.db;
    await db.transaction((manager) => manager.update(db.entities.ExportJob, { id: job.id }, {
      state: 'running', runId: '00000000-0000-4000-8000-00000000dead', startedAt: new Date(Date.now() - 2 * 60 * 60 * 1000),
    }));
    await runExportJob(h.runtime, job.id);
    const row = await db.source.manager.findOneBy(db.entities.ExportJob, { id: job.id });
    expect(row).toMatchObject({ state: 'ready', rowCount: 11 });
    expect(row!.runId).not.toBe('00000000-0000-4000-8000-00000000dead');
    expect(readyMails()).toHaveLength(2);
  });

  it('clean-up deletes the files of exports whose link expired, and leaves an export still being built alone', async () => {
    const db = h.runtime.db;
    const admin = (await findMemberByEmail(db, 'admin@example.com'))!;
    const building = await requestExport(h.runtime, admin, { status: 'all', search: 'nobody-matches' });
    await db.transaction(async (manager) => {
      await manager.update(db.entities.ExportJob, { id: building.id }, { state: 'running', runId: '00000000-0000-4000-8000-0000000b0b0b', startedAt: new Date() });
      await manager.insert(db.entities.ExportChunk, { jobId: building.id, seq: 0, data: Buffer.from('id\r\n') });
    });
    const readyChunks = async () => (await db.source.manager.find(db.entities.ExportJob, { where: { state: 'ready' } }))
      .reduce(async (sum, job) => (await sum) + (await db.source.manager.countBy(db.entities.ExportChunk, { jobId: job.id })), Promise.resolve(0));
    expect(await readyChunks()).toBeGreaterThan(0);
    h.advance(2 * 24 * 60 * 60 * 1000);
    try {
      await deleteExpiredFiles(h.runtime);
    } finally {
      h.advance(-2 * 24 * 60 * 60 * 1000);
    }
    expect(await readyChunks()).toBe(0);
    expect(await db.source.manager.countBy(db.entities.ExportChunk, { jobId: building.id })).toBe(1);
    await db.transaction((manager) => manager.update(db.entities.ExportJob, { id: building.id }, { state: 'failed' }));
  });

  it('an export asked for while no worker runs is built once a worker starts (it survives a restart)', async () => {
    const admin = (await findMemberByEmail(h.runtime.db, 'admin@example.com'))!;
    const job = await requestExport(h.runtime, admin, { status: 'all', search: '' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.ExportJob, { id: job.id }))!.state).toBe('queued');
    await h.runtime.jobs.startWorkers(serverWorkers(h.runtime));
    await until(async () => (await h.runtime.db.source.manager.findOneBy(h.runtime.db.entities.ExportJob, { id: job.id }))!.state === 'ready');
    await until(() => readyMails().length === 3);
  });
});
