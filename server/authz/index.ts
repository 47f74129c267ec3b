/**
 * Authorization: one deny-by-default policy (`authorize`) decides every request; `requireAccess`
 * is how routes ask it. See README.md in this folder for the model.
 */
export {
  ACTIONS,
  AUDIT_ACTIONS,
  PLUGIN_ACTIONS,
  authorize,
  isReadAction,
  projectOf,
  projectRoleOf,
  type AccessRule,
  type Action,
  type AuditAction,
  type ConnectionGrant,
  type ConnectionPermission,
  type Decision,
  type EffectiveGroup,
  type GrantStep,
  type Grantee,
  type Named,
  type ProjectFacts,
  type ProjectGrant,
  type PluginAction,
  type PluginFacts,
  type PolicyAction,
  type ProjectRole,
  type ResourceFacts,
  type ResourceTags,
  type ResourceType,
  type Subject,
  type SystemRole,
} from './policy.ts';
export {
  effectiveGroups,
  granteeOf,
  isUuid,
  loadResourceFacts,
  loadRules,
  loadSubject,
  type GranteeRow,
  type ResourceRef,
} from './facts.ts';
export {
  allowedActions,
  currentSubject,
  isAllowed,
  refuseAccess,
  refuseMissing,
  requestActor,
  requireAccess,
  requireDecision,
  type Granted,
} from './guard.ts';
export { keepsAnEnabledHolder, type GranteeRef } from './remaining-holders.ts';
export { accessRoutes } from './access-routes.ts';
export { accessReverters } from './access-reverters.ts';
