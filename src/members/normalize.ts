import { FIELD_LENGTHS } from './field-rules.js';

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isEmail(value: string): boolean {
  return value.length <= FIELD_LENGTHS.email && EMAIL.test(value.trim());
}

const EMPLOYEE_ID = new RegExp(`^[A-Z0-9._-]{1,${FIELD_LENGTHS.employeeId}}$`);

/** Employee IDs compare without regard to case or surrounding spaces; stored upper-case. */
export function normalizeEmployeeId(value: string): string | undefined {
  const normalized = value.trim().toUpperCase();
  return EMPLOYEE_ID.test(normalized) ? normalized : undefined;
}
