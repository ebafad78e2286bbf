import { randomUUID } from 'node:crypto';
import type { ProfileField } from '../../config/schema.js';
import type { MemberRow } from '../../db/rows.js';
import { FIELD_LENGTHS, profileFieldProblem } from '../../members/field-rules.js';
import { PictureRejected, processPicture } from '../../pictures/process.js';
import type { FlowData } from '../flow-data.js';
import { field, type FieldError, type Step, type StepContext } from './step.js';

/** How the form shows each field; what a value may be is the member field rules' (field-rules.ts). */
interface FieldForm {
  label: string;
  type?: 'text' | 'tel';
  autocomplete: string;
  hint?: string;
}

export const PROFILE_FORM: Record<ProfileField, FieldForm> = {
  name: { label: 'claim.profile.fields.name', autocomplete: 'name' },
  firstName: { label: 'claim.profile.fields.firstName', autocomplete: 'given-name' },
  lastName: { label: 'claim.profile.fields.lastName', autocomplete: 'family-name' },
  title: { label: 'claim.profile.fields.title', autocomplete: 'organization-title' },
  department: { label: 'claim.profile.fields.department', autocomplete: 'off' },
  location: { label: 'claim.profile.fields.location', autocomplete: 'off' },
  phone: { label: 'claim.profile.fields.phone', autocomplete: 'tel', type: 'tel', hint: 'claim.profile.hints.phone' },
  locale: { label: 'claim.profile.fields.locale', autocomplete: 'language', hint: 'claim.profile.hints.locale' },
};

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
  title: 'claim.profile.title',
  template: 'claim/profile.njk',
  multipart: true,
  isRequired: (config, _member, { purpose }) => purpose === 'claim' && config.firstAccess.profile.enabled,
  async locals({ runtime, flow, member }) {
    const { fields, required, picture } = runtime.config.firstAccess.profile;
    return {
      fields: fields.map((name) => ({ name, ...PROFILE_FORM[name], maxLength: FIELD_LENGTHS[name], required: required.includes(name) })),
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
      const form = PROFILE_FORM[name];
      const value = field(req.body, name).trim();
      values[name] = value;
      const problem = value ? profileFieldProblem(name, value) : undefined;
      if (!value) {
        if (required.includes(name)) errors.push({ field: name, message: 'claim.profile.required', params: { field: req.t(form.label) } });
      } else if (problem === 'too_long') {
        errors.push({ field: name, message: 'claim.profile.tooLong', params: { field: req.t(form.label), count: FIELD_LENGTHS[name] } });
      } else if (problem === 'malformed') {
        errors.push({ field: name, message: form.hint ? 'claim.profile.notValidHint' : 'claim.profile.notValid', params: { field: req.t(form.label), hint: form.hint ? req.t(form.hint) : '' } });
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
      if (!stored.error && picture === 'required' && !pictureId) errors.push({ field: 'picture', message: 'claim.profile.pictureRequired' });
    }
    if (errors.length) {
      return { ok: false, status: errors.some((e) => e.field === 'picture' && e.message === 'claim.profile.pictureTooLarge') ? 413 : 400, errors, locals: { values } };
    }
    const profile = Object.fromEntries(fields.map((name) => [name, values[name] || null]));
    return { ok: true, data: { ...flow.data, profile: { ...profile, pictureId } } };
  },
};
