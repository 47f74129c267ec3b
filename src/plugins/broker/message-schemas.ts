/**
 * The schema of every message the host accepts on a plugin's port, and of each host method's
 * parameters. Only the methods the host answers are here: the `ui.render`, `ui.svg` and
 * `ui.canvas` calls are the frame runtime's, so the host treats them as unknown. Objects are
 * strict (an unknown field is an error), so a plugin cannot smuggle anything past a schema.
 */
import * as z from 'zod/mini';
import {
  BLOCKED_URI_MAX_LENGTH,
  CSP_DIRECTIVES,
  blockedUriOf,
} from '../../../sdk/runtime/index.ts';
import type { HostMethodName, MethodMap, PluginToHostMessage } from '../../../sdk/src/protocol.ts';

/** `storage.set`: keys ≤ 200 characters, values ≤ 64 KiB (in UTF-16 code units). */
export const STORAGE_KEY_MAX_LENGTH = 200;
export const STORAGE_VALUE_MAX_LENGTH = 64 * 1024;
/** `selection.get` answers at most this many rows. */
export const SELECTION_MAX_ROWS = 100_000;

const noParams = z.strictObject({});
const count = z.int().check(z.minimum(0));

/** The parameters of each method the host answers (the allow-list is exactly these keys). */
export const hostMethodParams: {
  readonly [M in HostMethodName]: z.ZodMiniType<MethodMap[M]['params']>;
} = {
  'session.info': noParams,
  'data.read': z.strictObject({
    columns: z
      .array(z.string().check(z.minLength(1), z.maxLength(200)))
      .check(z.minLength(1), z.maxLength(1000)),
    offset: z.optional(count),
    limit: z.optional(z.int().check(z.minimum(1))),
  }),
  'data.write': z.strictObject({
    mode: z.enum(['columns', 'table']),
    ipc: z.instanceof(ArrayBuffer),
    name: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
  }),
  'selection.get': noParams,
  'selection.subscribe': noParams,
  'ui.setTitle': z.strictObject({ title: z.string().check(z.maxLength(80)) }),
  'ui.setHeight': z.strictObject({ height: z.number().check(z.minimum(80), z.maximum(2000)) }),
  'storage.get': z.strictObject({ key: z.string().check(z.minLength(1)) }),
  'storage.set': z.strictObject({
    key: z.string().check(z.minLength(1)),
    value: z.nullable(z.string()),
  }),
};

/**
 * Whether `method` is one the host answers; `in` is not used, so `__proto__` is no method.
 *
 * @example
 * isHostMethod('data.read'); // true
 * isHostMethod('ui.render'); // false: the frame runtime answers it
 */
export function isHostMethod(method: string): method is HostMethodName {
  return Object.prototype.hasOwnProperty.call(hostMethodParams, method);
}

const callId = z.int().check(z.minimum(1), z.maximum(Number.MAX_SAFE_INTEGER));

const callEnvelope = z.strictObject({
  kind: z.literal('call'),
  id: callId,
  method: z.string().check(z.maxLength(100)),
  params: z.unknown(),
});

const otherMessages = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('pong'), seq: z.int().check(z.minimum(0)) }),
  z.strictObject({ kind: z.literal('ready') }),
  z.strictObject({ kind: z.literal('crashed'), message: z.string().check(z.maxLength(2000)) }),
  // Reduced by the runtime already; anything else (a query, a long URL) was not.
  z.strictObject({
    kind: z.literal('egress_blocked'),
    directive: z.enum(CSP_DIRECTIVES),
    blockedUri: z.string().check(
      z.maxLength(BLOCKED_URI_MAX_LENGTH),
      z.refine((uri) => blockedUriOf(uri) === uri, 'not reduced to origin and path'),
    ),
  }),
]);

/** A message read as far as its envelope: a call's params are checked once its method is known. */
export type ReceivedMessage =
  | {
      readonly kind: 'call';
      readonly id: number;
      readonly method: string;
      readonly params: unknown;
    }
  | Exclude<PluginToHostMessage, { kind: 'call' }>;

/**
 * Reads a received message's envelope; `undefined` when it is none of the known shapes.
 *
 * @example
 * readEnvelope({ kind: 'pong', seq: 3 }); // { kind: 'pong', seq: 3 }
 * readEnvelope({ kind: 'call', id: 0, method: 'x', params: {} }); // undefined (ids start at 1)
 */
export function readEnvelope(message: unknown): ReceivedMessage | undefined {
  const call = callEnvelope.safeParse(message);
  if (call.success) return call.data as ReceivedMessage;
  const other = otherMessages.safeParse(message);
  return other.success ? other.data : undefined;
}

/**
 * The call id of a message that is not a valid envelope, when it has a usable one: the plugin
 * then learns which call was refused.
 *
 * @example
 * salvageCallId({ kind: 'call', id: 7, method: 5 }); // 7
 */
export function salvageCallId(message: unknown): number | null {
  if (typeof message !== 'object' || message === null) return null;
  const id = Object.getOwnPropertyDescriptor(message, 'id')?.value as unknown;
  return callId.safeParse(id).success ? (id as number) : null;
}
