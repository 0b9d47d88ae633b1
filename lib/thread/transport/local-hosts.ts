/**
 * Ids of the hosts running on this thread (written by the host side, read by the caller side):
 * a blocking call to one of them could never finish, since this thread's loop would have to
 * serve it while it blocks.
 *
 * Context: per thread.
 */
export const hostedHere = new Set<string>();
