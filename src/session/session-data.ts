import 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in member. Set only after every first-access step is done. */
    memberId: string;
    authenticatedAt: number;
    lastSeenAt: number;
    /** The claim or re-acceptance flow this browser is in; the flow itself lives in the database. */
    flowId: string;
  }
}
