/** A member linked to an identity at a provider; (issuer, subject) names one person for good. */
export interface SsoAccountRow {
  id: string;
  memberId: string;
  providerId: string;
  issuer: string;
  subject: string;
  createdAt: Date;
  lastUsedAt: Date;
}
