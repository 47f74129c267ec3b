/**
 * Sign-in throttling and lockout, shared by every server instance through PostgreSQL.
 *
 * `createLoginThrottle({ db })` gives `begin(username, address)`, called before the password is
 * checked: it counts the attempt for the account and the address and throws `LoginThrottledError`
 * (429, `login_throttled`) or `AccountLockedError` (429, `account_locked`) when it must not go
 * ahead. The attempt it returns is settled with `succeeded()` or `failed()`.
 */
export {
  AccountLockedError,
  createLoginThrottle,
  DEFAULT_LOGIN_THROTTLE_LIMITS,
  LoginThrottledError,
  MAX_LOGIN_THROTTLE_KEY_BYTES,
  throttleKey,
  type LoginAttempt,
  type LoginThrottle,
  type LoginThrottleLimits,
  type LoginThrottleOptions,
} from './login-throttle.ts';
