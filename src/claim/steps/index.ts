import type { StepId } from '../states.js';
import { groupsStep } from './groups.js';
import { passwordStep } from './password.js';
import { profileStep } from './profile.js';
import type { Step } from './step.js';
import { termsStep } from './terms.js';

export const STEPS: Record<StepId, Step> = {
  terms: termsStep,
  profile: profileStep,
  password: passwordStep,
  groups: groupsStep,
};
