export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

// The most common choices that pass a length rule; a short list keeps the worst ones out without a network call.
const COMMON = new Set([
  'password1234', 'password12345', 'password123456', '123456789012', '1234567890123', 'qwertyuiopas', 'qwerty123456',
  'iloveyou1234', 'letmein12345', 'welcome12345', 'administrator', 'passwordpassword', 'abcdefghijkl', 'aaaaaaaaaaaa',
  'changeme1234', 'football1234', 'baseball1234', 'trustno11234', 'sunshine1234', 'princess1234',
]);

/**
 * NIST SP 800-63B style: a length range, no composition rules, and refusal of passwords that are common
 * or built from the member's own identifiers. Returns readable problems; empty means acceptable.
 */
export function passwordProblems(password: string, policy: PasswordPolicy, identifiers: Array<string | null | undefined>): PasswordProblem[] {
  const length = [...password].length;
  if (length < policy.minLength) return [{ message: 'password.tooShort', params: { count: policy.minLength } }];
  if (length > policy.maxLength) return [{ message: 'password.tooLong', params: { count: policy.maxLength } }];
  const lower = password.toLowerCase();
  if (COMMON.has(lower) || new Set(lower).size <= 2) return [{ message: 'password.common' }];
  for (const identifier of identifiers) {
    const parts = (identifier ?? '').toLowerCase().split(/[@\s._-]+/).filter((part) => part.length >= 4);
    if (parts.some((part) => lower.includes(part))) return [{ message: 'password.personal' }];
  }
  return [];
}

/** A catalogue key (`locales/<lng>/password.json`) and its values. */
export interface PasswordProblem {
  message: string;
  params?: Record<string, unknown>;
}
