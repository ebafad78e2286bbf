/** Why the port cannot be listened on, said plainly. */
export function listenFailure(error: NodeJS.ErrnoException, port: number): string {
  const reason = error.code === 'EADDRINUSE' ? `port ${port} is in use (set PORT to another one, and baseUrl to match)` : error.message;
  return `claimgate failed to start: ${reason}`;
}
