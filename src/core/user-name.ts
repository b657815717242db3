import { userInfo } from 'node:os';

/**
 * The name of the user Baton runs as, recorded as who requested a run. A uid without a passwd
 * entry (a container started with `--user 12345`) makes `os.userInfo()` throw; it is then
 * `uid<N>`, so such a user can still run Baton.
 */
export function currentUserName(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry for this uid (a container's arbitrary uid): name it by number.
    return `uid${process.getuid?.() ?? 'unknown'}`;
  }
}
