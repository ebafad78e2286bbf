import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ExportJobRow } from '../db/rows.js';

/**
 * The emailed download link carries an HMAC over the job, the admin who asked and the expiry, keyed by a server secret:
 * it cannot be made from the database, and it is bound to that one admin (the download also needs their session).
 */
export function downloadToken(key: Buffer, job: Pick<ExportJobRow, 'id' | 'adminId' | 'expiresAt'>): string {
  return createHmac('sha256', key).update(`${job.id}\n${job.adminId}\n${job.expiresAt.toISOString()}`).digest('base64url');
}

export function downloadUrl(baseUrl: string, key: Buffer, job: Pick<ExportJobRow, 'id' | 'adminId' | 'expiresAt'>): string {
  return `${baseUrl}/admin/exports/${job.id}/download?token=${downloadToken(key, job)}`;
}

export function isDownloadTokenValid(key: Buffer, job: Pick<ExportJobRow, 'id' | 'adminId' | 'expiresAt'>, token: string): boolean {
  const expected = Buffer.from(downloadToken(key, job));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
