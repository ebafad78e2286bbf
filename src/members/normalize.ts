const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isEmail(value: string): boolean {
  return value.length <= 320 && EMAIL.test(value.trim());
}

/** Employee IDs compare without regard to case or surrounding spaces; stored upper-case. */
export function normalizeEmployeeId(value: string): string | undefined {
  const normalized = value.trim().toUpperCase();
  return /^[A-Z0-9._-]{1,64}$/.test(normalized) ? normalized : undefined;
}
