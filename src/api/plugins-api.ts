/**
 * The plugin routes (`/api/v1/plugins…`, `/plugin-instances…`, `/plugin-policies…`): the plugins
 * the caller may run with their consent, granting and revoking consent, launching an instance and
 * following its state, the instance's audit events (each answered with the policy's word), and
 * for admins uploading a plugin archive and the allow/block rules. The answers' shapes are the
 * server's (Hono RPC); the types below name them for the UI, and the functions' declared return
 * types make a route that answers otherwise a type error here.
 */
import type { CspDirective, PluginPermission } from '../../sdk/src/protocol.ts';
import { authenticatedFetchThrough } from '../auth/auth-session.ts';
import { api, call } from './client.ts';
import { sendWithUploadProgress, type UploadProgress } from './send-with-upload-progress.ts';

export interface PluginConsent {
  readonly permissions: readonly PluginPermission[];
  readonly grantedAt: string;
}

/** A plugin as `GET /plugins` lists it. */
export interface PluginSummary {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly permissions: readonly PluginPermission[];
  readonly source: 'bundled' | 'uploaded';
  readonly runnable: boolean;
  readonly blockedReason: string | null;
  readonly consent: PluginConsent | null;
}

export interface PluginLaunch {
  readonly instanceId: string;
  /** The frame document's single-use URL on the plugin origin. */
  readonly url: string;
  readonly pluginOrigin: string;
  readonly expiresAt: string;
  readonly permissions: readonly PluginPermission[];
  readonly plugin: PluginSummary;
}

export interface PluginInstanceStatus {
  readonly state: 'active' | 'blocked' | 'ended';
  readonly reason: string | null;
}

export type PluginInstanceAction =
  | 'plugin.started'
  | 'plugin.data_read'
  | 'plugin.data_write'
  | 'plugin.denied'
  | 'plugin.egress_blocked'
  | 'plugin.terminated'
  | 'plugin.storage_write'
  | 'plugin.selection_read';

export interface PluginInstanceEvent {
  readonly action: PluginInstanceAction;
  readonly columns?: readonly string[];
  readonly rows?: number;
  readonly detail?: string;
  /** `plugin.egress_blocked` only: the violated CSP directive and the reduced blocked URI. */
  readonly directive?: CspDirective;
  readonly blockedUri?: string;
}

export interface PluginPolicyRule {
  readonly id: string;
  readonly pluginId: string;
  readonly effect: 'allow' | 'block';
  /** null: everyone. */
  readonly groupIds: readonly string[] | null;
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
}

export type NewPluginPolicyRule = Pick<
  PluginPolicyRule,
  'pluginId' | 'effect' | 'groupIds' | 'startsAt' | 'endsAt'
>;

/**
 * The plugins the caller may run (admins: all), with consent and blocked state (`GET /plugins`).
 *
 * @example
 * const { plugins } = await listPlugins();
 */
export async function listPlugins(): Promise<{ plugins: PluginSummary[] }> {
  const response = await call(() => api.plugins.$get());
  return response.json();
}

/**
 * Approves every permission the plugin asks for (`PUT /plugins/{id}/consent`).
 *
 * @example
 * await grantPluginConsent('enclave.chart', ['data:read', 'ui:panel']);
 */
export async function grantPluginConsent(
  id: string,
  permissions: readonly PluginPermission[],
): Promise<PluginConsent> {
  const response = await call(() =>
    api.plugins[':id'].consent.$put({ param: { id }, json: { permissions: [...permissions] } }),
  );
  return response.json();
}

/**
 * Withdraws the consent; the next launch asks again (`DELETE /plugins/{id}/consent`).
 *
 * @example
 * await revokePluginConsent('enclave.chart');
 */
export async function revokePluginConsent(id: string): Promise<void> {
  await call(() => api.plugins[':id'].consent.$delete({ param: { id } }));
}

/**
 * Launches an instance; the table and column names are for the audit (`POST /plugins/{id}/launch`).
 *
 * @example
 * const { url, instanceId } = await launchPlugin('enclave.chart', { tableName, columns });
 */
export async function launchPlugin(
  id: string,
  input: { tableName?: string; columns?: readonly string[] },
): Promise<PluginLaunch> {
  const response = await call(() =>
    api.plugins[':id'].launch.$post({
      param: { id },
      json: {
        ...(input.tableName !== undefined ? { tableName: input.tableName } : {}),
        ...(input.columns ? { columns: [...input.columns] } : {}),
      },
    }),
  );
  return response.json();
}

/**
 * Whether an instance may go on (`GET /plugin-instances/{instanceId}`).
 *
 * @example
 * const { state } = await fetchPluginInstance(instanceId);
 */
export async function fetchPluginInstance(instanceId: string): Promise<PluginInstanceStatus> {
  const response = await call(() =>
    api['plugin-instances'][':instanceId'].$get({ param: { instanceId } }),
  );
  return response.json();
}

/**
 * Records what an instance is about to do (or was refused) and answers whether it may
 * (`POST /plugin-instances/{instanceId}/events`).
 *
 * @example
 * const { state } = await reportPluginEvent(id, { action: 'plugin.data_read', columns, rows });
 */
export async function reportPluginEvent(
  instanceId: string,
  event: PluginInstanceEvent,
): Promise<PluginInstanceStatus> {
  const response = await call(() =>
    api['plugin-instances'][':instanceId'].events.$post({
      param: { instanceId },
      json: {
        action: event.action,
        ...(event.columns ? { columns: [...event.columns] } : {}),
        ...(event.rows !== undefined ? { rows: event.rows } : {}),
        ...(event.detail !== undefined ? { detail: event.detail } : {}),
        ...(event.directive !== undefined ? { directive: event.directive } : {}),
        ...(event.blockedUri !== undefined ? { blockedUri: event.blockedUri } : {}),
      },
    }),
  );
  return response.json();
}

/**
 * Ends an instance; its files are no longer served (`DELETE /plugin-instances/{instanceId}`).
 *
 * @example
 * await endPluginInstance(instanceId);
 */
export async function endPluginInstance(instanceId: string): Promise<void> {
  await call(() => api['plugin-instances'][':instanceId'].$delete({ param: { instanceId } }));
}

/**
 * Installs a plugin from a zip archive, reporting the bytes sent (`POST /plugins`, admins).
 *
 * @example
 * const plugin = await uploadPlugin(file, ({ sent, total }) => …);
 */
export async function uploadPlugin(
  archive: Blob,
  onProgress: (progress: UploadProgress) => void,
): Promise<PluginSummary> {
  const response = await call(() =>
    api.plugins.$post(
      {},
      {
        headers: { 'Content-Type': 'application/zip' },
        init: { body: archive },
        fetch: authenticatedFetchThrough((request) => sendWithUploadProgress(request, onProgress)),
      },
    ),
  );
  return response.json();
}

/**
 * Removes an uploaded plugin (`DELETE /plugins/{id}`, admins).
 *
 * @example
 * await deletePlugin('lab.custom-plot');
 */
export async function deletePlugin(id: string): Promise<void> {
  await call(() => api.plugins[':id'].$delete({ param: { id } }));
}

/**
 * Every allow and block rule (`GET /plugin-policies`, admins).
 *
 * @example
 * const { rules } = await listPluginPolicies();
 */
export async function listPluginPolicies(): Promise<{ rules: PluginPolicyRule[] }> {
  const response = await call(() => api['plugin-policies'].$get());
  return response.json();
}

/**
 * Adds a rule (`POST /plugin-policies`, admins).
 *
 * @example
 * await createPluginPolicy({ pluginId, effect: 'block', groupIds: null, startsAt, endsAt: null });
 */
export async function createPluginPolicy(rule: NewPluginPolicyRule): Promise<PluginPolicyRule> {
  const response = await call(() =>
    api['plugin-policies'].$post({
      json: { ...rule, groupIds: rule.groupIds ? [...rule.groupIds] : null },
    }),
  );
  return response.json();
}

/**
 * Removes a rule (`DELETE /plugin-policies/{id}`, admins).
 *
 * @example
 * await deletePluginPolicy(ruleId);
 */
export async function deletePluginPolicy(id: string): Promise<void> {
  await call(() => api['plugin-policies'][':id'].$delete({ param: { id } }));
}
