import type { StepId } from '../machine.js';
import { groupsStep } from './groups.js';
import { passwordStep } from './password.js';
import { profileStep } from './profile.js';
import type { Step } from './step.js';
import { termsStep } from './terms.js';
import { usernameStep } from './username.js';

export const STEPS: Record<StepId, Step> = {
  username: usernameStep,
  terms: termsStep,
  profile: profileStep,
  password: passwordStep,
  groups: groupsStep,
};
