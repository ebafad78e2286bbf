import 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in member. Set only after every first-access step is done. */
    memberId: string;
    authenticatedAt: number;
    /** When this session was signed in, from where (the client address, not its limit key) and with which browser. */
    createdAt: number;
    address: string;
    userAgent: string;
    lastSeenAt: number;
    /** The claim or re-acceptance flow this browser is in; the flow itself lives in the database. */
    flowId: string;
  }
}
