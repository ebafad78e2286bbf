import type { Request } from 'express';
import type { Config } from '../../config/schema.js';
import type { MemberRow } from '../../db/rows.js';
import type { Runtime } from '../../runtime.js';
import type { FlowData } from '../flow-data.js';
import type { Flow } from '../flow.js';
import type { FlowStart, PlannedMember } from '../planner.js';
import type { StepId } from '../machine.js';

export interface StepContext {
  runtime: Runtime;
  flow: Flow;
  member: MemberRow;
  req: Request;
}

export interface FieldError {
  field: string;
  /** A catalogue key (or a text already written for the reader). */
  message: string;
  params?: Record<string, unknown>;
}

export type StepOutcome =
  | { ok: true; data: FlowData }
  | { ok: false; status?: number; errors: FieldError[]; /** Page values that replace the step's own, e.g. what was typed. */ locals?: Record<string, unknown> };

/** One first-access step: whether a flow needs it, what its page shows, and what submitting it does. */
export interface Step {
  id: StepId;
  title: string;
  template: string;
  /** Multipart forms (the picture upload) are parsed before the CSRF check. */
  multipart?: boolean;
  isRequired(config: Config, member: PlannedMember, start: Pick<FlowStart, 'purpose' | 'method'>): boolean;
  locals(ctx: StepContext): Promise<Record<string, unknown>>;
  /** Validates the submitted form and returns the flow data to store. Writes nothing to the member. */
  submit(ctx: StepContext): Promise<StepOutcome>;
}

export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}
