import { randomUUID } from 'node:crypto';
import type { ProfileField } from '../../config/schema.js';
import type { MemberRow } from '../../db/rows.js';
import { PictureRejected, processPicture } from '../../pictures/process.js';
import type { FlowData } from '../flow-data.js';
import { field, type FieldError, type Step, type StepContext } from './step.js';

interface FieldRule {
  label: string;
  type?: 'text' | 'tel';
  maxLength: number;
  autocomplete: string;
  pattern?: RegExp;
  hint?: string;
}

export const PROFILE_RULES: Record<ProfileField, FieldRule> = {
  name: { label: 'Full name', maxLength: 200, autocomplete: 'name' },
  firstName: { label: 'First name', maxLength: 100, autocomplete: 'given-name' },
  lastName: { label: 'Last name', maxLength: 100, autocomplete: 'family-name' },
  title: { label: 'Job title', maxLength: 200, autocomplete: 'organization-title' },
  department: { label: 'Department', maxLength: 200, autocomplete: 'off' },
  location: { label: 'Location', maxLength: 200, autocomplete: 'off' },
  phone: { label: 'Phone', maxLength: 50, autocomplete: 'tel', type: 'tel', pattern: /^\+?[0-9 ().-]{3,50}$/, hint: 'Digits, spaces and + ( ) - only.' },
  locale: { label: 'Language', maxLength: 35, autocomplete: 'language', pattern: /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, hint: 'For example en-GB.' },
};

// Control characters (other than none) never belong in a profile value; they could forge log lines or CSV rows.
const CONTROL = /[\u0000-\u001f\u007f]/;

function prefill(member: MemberRow, data: FlowData, fields: ProfileField[]): Record<string, string> {
  return Object.fromEntries(fields.map((name) => [name, data.profile?.[name] ?? member[name] ?? '']));
}

async function latestPictureId({ runtime, flow }: Pick<StepContext, 'runtime' | 'flow'>): Promise<string | null> {
  const { db } = runtime;
  const row = await db.source.manager.findOne(db.entities.Picture, { where: { flowId: flow.row.id }, select: { id: true } });
  return row?.id ?? null;
}

async function storePicture(ctx: StepContext, upload: Express.Multer.File | undefined): Promise<{ pictureId?: string; error?: FieldError }> {
  if (!upload || upload.size === 0) return {};
  try {
    const picture = await processPicture(upload.buffer);
    const { db } = ctx.runtime;
    const id = randomUUID();
    await db.transaction(async (manager) => {
      // Only the latest upload of a flow is kept.
      await manager.delete(db.entities.Picture, { flowId: ctx.flow.row.id });
      await manager.insert(db.entities.Picture, { id, memberId: null, flowId: ctx.flow.row.id, ...picture, createdAt: ctx.runtime.now() });
    });
    return { pictureId: id };
  } catch (error) {
    if (error instanceof PictureRejected) return { error: { field: 'picture', message: error.reason } };
    throw error;
  }
}

export const profileStep: Step = {
  id: 'profile',
  title: 'Confirm your profile',
  template: 'claim/profile.njk',
  multipart: true,
  isRequired: (config, _member, { purpose }) => purpose === 'claim' && config.firstAccess.profile.enabled,
  async locals({ runtime, flow, member }) {
    const { fields, required, picture } = runtime.config.firstAccess.profile;
    return {
      fields: fields.map((name) => ({ name, ...PROFILE_RULES[name], required: required.includes(name) })),
      values: prefill(member, flow.data, fields),
      picture,
      hasPicture: Boolean(await latestPictureId({ runtime, flow } as StepContext)),
      pictureMaxMb: Math.round(runtime.config.firstAccess.profile.pictureMaxBytes / 1024 / 1024),
    };
  },
  async submit(ctx) {
    const { runtime, flow, req } = ctx;
    const { fields, required, picture } = runtime.config.firstAccess.profile;
    const values: Record<string, string> = {};
    const errors: FieldError[] = [];
    for (const name of fields) {
      const rule = PROFILE_RULES[name];
      const value = field(req.body, name).trim();
      values[name] = value;
      if (!value) {
        if (required.includes(name)) errors.push({ field: name, message: `Enter your ${rule.label.toLowerCase()}.` });
      } else if ([...value].length > rule.maxLength) {
        errors.push({ field: name, message: `${rule.label} must be at most ${rule.maxLength} characters.` });
      } else if (CONTROL.test(value) || (rule.pattern && !rule.pattern.test(value))) {
        errors.push({ field: name, message: `${rule.label} is not valid.${rule.hint ? ` ${rule.hint}` : ''}` });
      }
    }
    const uploadError = (req as { uploadError?: FieldError }).uploadError;
    if (uploadError) errors.push(uploadError);
    // A good picture is kept even when a field needs fixing, so the member does not have to choose it again.
    let pictureId = await latestPictureId(ctx);
    if (picture !== 'off' && !uploadError) {
      const stored = await storePicture(ctx, req.file);
      if (stored.error) errors.push(stored.error);
      pictureId = stored.pictureId ?? pictureId;
      if (!stored.error && picture === 'required' && !pictureId) errors.push({ field: 'picture', message: 'Upload a profile picture.' });
    }
    if (errors.length) {
      return { ok: false, status: errors.some((e) => e.field === 'picture' && e.message.includes('large')) ? 413 : 400, errors, locals: { values } };
    }
    const profile = Object.fromEntries(fields.map((name) => [name, values[name] || null]));
    return { ok: true, data: { ...flow.data, profile: { ...profile, pictureId } } };
  },
};
