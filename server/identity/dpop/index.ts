/**
 * DPoP (RFC 9449): the proof-of-possession check the API runs on every request with a
 * DPoP-bound token, so that a copied access token is useless without the browser's private key.
 *
 * `verifyDpopProof` is the pure check; `createSeenProofs` is its replay store on the database,
 * shared by every server instance. Failures are `DpopError`s (401, `invalid_dpop_proof`).
 */
export {
  ALLOWED_DPOP_ALGORITHMS,
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_MAX_AGE_SECONDS,
  DpopError,
  MAX_JTI_LENGTH,
  MAX_PROOF_BYTES,
  verifyDpopProof,
  type DpopFailureReason,
  type SeenProofs,
  type VerifiedDpopProof,
  type VerifyDpopProofOptions,
} from './verify-dpop-proof.ts';
export {
  createSeenProofs,
  type DatabaseSeenProofs,
  type SeenProofsOptions,
} from './seen-proofs.ts';
