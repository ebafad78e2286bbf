import argon2 from 'argon2';
import { passwordProblems } from '../../auth/password-policy.js';
import { field, type FieldError, type Step } from './step.js';

export const passwordStep: Step = {
  id: 'password',
  title: 'claim.password.title',
  template: 'claim/password.njk',
  // SSO members, and anyone whose claim the identity provider proved, never get a local password.
  // A recovery is this step alone.
  isRequired: (config, member, { purpose, method }) =>
    purpose === 'recover' || (purpose === 'claim' && config.firstAccess.password.enabled && member.loginMethod === 'password' && method !== 'sso'),
  async locals({ runtime, flow, member }) {
    const { minLength, maxLength } = runtime.config.firstAccess.password;
    // Password managers store the new password under this name.
    return { minLength, maxLength, accountName: flow.data.username ?? member.email ?? member.username ?? '' };
  },
  async submit({ runtime, flow, member, req }) {
    const password = field(req.body, 'password');
    const confirm = field(req.body, 'confirm');
    const profile = flow.data.profile ?? {};
    const identifiers = [member.email?.split('@')[0], flow.data.username ?? member.username, member.name, member.firstName, member.lastName, member.employeeId, profile.name, profile.firstName, profile.lastName];
    const problems = passwordProblems(password, runtime.config.firstAccess.password, identifiers);
    const errors: FieldError[] = problems.map((problem) => ({ field: 'password', ...problem }));
    if (!errors.length && password !== confirm) errors.push({ field: 'confirm', message: 'claim.password.mismatch' });
    if (errors.length) return { ok: false, errors };
    return { ok: true, data: { ...flow.data, passwordHash: await argon2.hash(password, { type: argon2.argon2id }) } };
  },
};
