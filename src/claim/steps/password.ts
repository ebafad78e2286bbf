import argon2 from 'argon2';
import { passwordProblems } from '../../auth/password-policy.js';
import { field, type Step } from './step.js';

export const passwordStep: Step = {
  id: 'password',
  title: 'Choose a password',
  template: 'claim/password.njk',
  isRequired: (config, member, { purpose }) => purpose === 'claim' && config.firstAccess.password.enabled && member.loginMethod === 'password',
  async locals({ runtime }) {
    const { minLength, maxLength } = runtime.config.firstAccess.password;
    return { minLength, maxLength };
  },
  async submit({ runtime, flow, member, req }) {
    const password = field(req.body, 'password');
    const confirm = field(req.body, 'confirm');
    const problems = passwordProblems(password, runtime.config.firstAccess.password, [member.email, member.username, member.name, member.employeeId]);
    const errors = problems.map((message) => ({ field: 'password', message }));
    if (!errors.length && password !== confirm) errors.push({ field: 'confirm', message: 'The two passwords do not match.' });
    if (errors.length) return { ok: false, errors };
    return { ok: true, data: { ...flow.data, passwordHash: await argon2.hash(password, { type: argon2.argon2id }) } };
  },
};
