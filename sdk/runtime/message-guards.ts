/**
 * Validators for every message of the plugin wire protocol (sdk/src/protocol.ts), written by hand
 * so the frame runtime stays a small classic script. The frame runtime is the boundary the
 * plugin's code must cross to reach the host, so a message passes only when it is exactly what
 * the protocol allows: plain objects and arrays only (no class instances, no accessors, no
 * `__proto__` / `constructor` / `prototype` keys, no unknown keys), strings and arrays within
 * their limits, numbers finite and in range, and at most `MAX_MESSAGE_UNITS` of data in all.
 * The SDK uses the same validators for what reaches the worker. Nothing here throws to callers:
 * each `parse…` returns the typed message or says why it was refused.
 */
import type {
  ErrorCode,
  FromWorkerMessage,
  HandshakeMessage,
  HostToPluginMessage,
  MethodMap,
  MethodName,
  PluginPermission,
  ProtocolError,
  ToWorkerMessage,
  ViewNode,
} from '../src/protocol.ts';

/**
 * The limits the validators enforce; `docs/plugin-protocol.md` lists them for authors.
 *
 * @example
 * crashed(port, reason.slice(0, LIMITS.text));
 */
export const LIMITS = {
  /** Characters of an id, a key, a label, a column name. */
  shortString: 200,
  /** Characters of a text node, an error message, a table cell. */
  text: 100_000,
  /** Characters of SVG markup (`ui.svg`, `svg` nodes). */
  markup: 1_048_576,
  /** The message's size estimate outside ArrayBuffers: string characters plus 8 per value. */
  messageUnits: 1_048_576,
  /** Nodes of one view tree, and how deep it may nest. */
  viewNodes: 10_000,
  viewDepth: 32,
  /** Cells of one `table` node. */
  tableCells: 100_000,
  /** Columns of one `data.read`, one session, one `table` node. */
  columns: 1_000,
  /** Row indexes of a selection. */
  selectionRows: 100_000,
  /** `ui.setTitle`. */
  title: 80,
  /** `ui.setHeight`, CSS pixels. */
  minHeight: 80,
  maxHeight: 2_000,
  /** `ui.canvas` width and height, canvas pixels. */
  canvasSize: 4_096,
  /** `storage.get` / `storage.set`. */
  storageKey: 200,
  storageValue: 65_536,
  /** The Arrow IPC bytes of one `data.write`. */
  writeBytes: 256 * 1024 * 1024,
} as const;

/**
 * The allow-list of methods: a call naming anything else is refused with `unknown_method`.
 *
 * @example
 * METHODS.includes('data.read'); // true
 */
export const METHODS: readonly MethodName[] = [
  'session.info',
  'data.read',
  'data.write',
  'selection.get',
  'selection.subscribe',
  'ui.setTitle',
  'ui.setHeight',
  'ui.render',
  'ui.svg',
  'ui.canvas',
  'storage.get',
  'storage.set',
];

/**
 * Every permission a handshake or a session may name.
 *
 * @example
 * PERMISSIONS.includes('ui:panel'); // true
 */
export const PERMISSIONS: readonly PluginPermission[] = [
  'data:read',
  'data:write',
  'selection:read',
  'ui:panel',
  'storage:own',
];

/**
 * Every error code a protocol error may carry.
 *
 * @example
 * ERROR_CODES.includes('blocked'); // true
 */
export const ERROR_CODES: readonly ErrorCode[] = [
  'unknown_method',
  'invalid_params',
  'permission_denied',
  'column_not_granted',
  'too_large',
  'invalid_result',
  'blocked',
  'failed',
];

/** Keys no message may carry at any depth, whatever the object. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Why a value was refused; thrown inside this module only. */
class Refusal {
  constructor(
    readonly code: 'invalid_params' | 'too_large',
    readonly message: string,
  ) {}
}

/** The size estimate of one message so far; a message over budget is refused as `too_large`. */
class Budget {
  private used = 0;
  spend(units: number, at: string): void {
    this.used += units;
    if (this.used > LIMITS.messageUnits) {
      throw new Refusal('too_large', `${at}: the message is larger than 1 MiB`);
    }
  }
}

type Guard<T> = (value: unknown, at: string, budget: Budget) => T;

function refuse(at: string, reason: string): never {
  throw new Refusal('invalid_params', `${at}: ${reason}`);
}

/**
 * Whether `value` is an object literal as structured clone makes it: its prototype is
 * `Object.prototype` (or null), and every own key is a string naming a data property.
 *
 * @example
 * isPlainObject({ a: 1 }); // true
 * isPlainObject(new Map()); // false
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Reflect.ownKeys(value).every((key) => {
    if (typeof key !== 'string') return false;
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    return descriptor !== undefined && 'value' in descriptor;
  });
}

function ownKeysOf(value: object, at: string): string[] {
  const keys = Reflect.ownKeys(value);
  for (const key of keys) {
    if (typeof key !== 'string') refuse(at, 'symbol keys are not allowed');
    if (FORBIDDEN_KEYS.has(key)) refuse(at, `the key "${key}" is not allowed`);
  }
  return keys as string[];
}

/** A strict object: exactly the keys of `shape` (those in `optional` may be absent). */
function object<T>(
  shape: { readonly [K in keyof T]-?: Guard<T[K]> },
  optional: readonly (keyof T & string)[] = [],
): Guard<T> {
  const names = Object.keys(shape);
  return (value, at, budget) => {
    if (typeof value !== 'object' || value === null) refuse(at, 'expected an object');
    const keys = ownKeysOf(value, at);
    if (!isPlainObject(value)) refuse(at, 'expected a plain object');
    for (const key of keys) {
      if (!Object.hasOwn(shape, key)) refuse(at, `unknown field "${key}"`);
    }
    budget.spend(8, at);
    const out: Record<string, unknown> = {};
    for (const name of names) {
      const isOptional = (optional as readonly string[]).includes(name);
      // An optional field set to undefined counts as absent (`{ offset: undefined }` is common).
      if (isOptional && (!Object.hasOwn(value, name) || value[name] === undefined)) continue;
      if (!Object.hasOwn(value, name)) refuse(at, `missing field "${name}"`);
      const guard = (shape as Record<string, Guard<unknown>>)[name]!;
      const field = guard(value[name], `${at}.${name}`, budget);
      if (field !== undefined) out[name] = field;
    }
    return out as T;
  };
}

function string(max: number): Guard<string> {
  return (value, at, budget) => {
    if (typeof value !== 'string') refuse(at, 'expected a string');
    if (value.length > max) {
      throw new Refusal('too_large', `${at}: longer than ${max} characters`);
    }
    budget.spend(value.length + 8, at);
    return value;
  };
}

function integer(min: number, max: number): Guard<number> {
  return (value, at, budget) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      refuse(at, 'expected an integer');
    if (value < min || value > max) refuse(at, `expected an integer from ${min} to ${max}`);
    budget.spend(8, at);
    return value;
  };
}

function finite(min = -Number.MAX_VALUE, max = Number.MAX_VALUE): Guard<number> {
  return (value, at, budget) => {
    if (typeof value !== 'number' || !Number.isFinite(value))
      refuse(at, 'expected a finite number');
    if (value < min || value > max) refuse(at, `expected a number from ${min} to ${max}`);
    budget.spend(8, at);
    return value;
  };
}

const boolean: Guard<boolean> = (value, at, budget) => {
  if (typeof value !== 'boolean') refuse(at, 'expected true or false');
  budget.spend(8, at);
  return value;
};

function oneOf<T extends string | number | boolean>(allowed: readonly T[]): Guard<T> {
  return (value, at, budget) => {
    if (!(allowed as readonly unknown[]).includes(value)) {
      refuse(at, `expected one of ${allowed.map((item) => JSON.stringify(item)).join(', ')}`);
    }
    budget.spend(8, at);
    return value as T;
  };
}

function nullable<T>(guard: Guard<T>): Guard<T | null> {
  return (value, at, budget) => (value === null ? null : guard(value, at, budget));
}

/** A dense, plain array of at most `max` items, with no keys besides its indexes. */
function array<T>(item: Guard<T>, max: number): Guard<T[]> {
  return (value, at, budget) => {
    if (!Array.isArray(value) || Object.getPrototypeOf(value) !== Array.prototype) {
      refuse(at, 'expected an array');
    }
    if (value.length > max) throw new Refusal('too_large', `${at}: more than ${max} items`);
    const keys = ownKeysOf(value, at);
    // Own keys of a dense array: its indexes plus `length`.
    if (keys.length !== value.length + 1) refuse(at, 'expected a dense array without extra keys');
    budget.spend(8, at);
    const out: T[] = [];
    for (let index = 0; index < value.length; index++) {
      if (!Object.hasOwn(value, index)) refuse(`${at}[${index}]`, 'missing item');
      out.push(item(value[index], `${at}[${index}]`, budget));
    }
    return out;
  };
}

function arrayBuffer(maxBytes: number): Guard<ArrayBuffer> {
  return (value, at) => {
    if (!(value instanceof ArrayBuffer)) refuse(at, 'expected an ArrayBuffer');
    if (value.byteLength > maxBytes) {
      throw new Refusal('too_large', `${at}: more than ${maxBytes} bytes`);
    }
    return value;
  };
}

const offscreenCanvas: Guard<OffscreenCanvas> = (value, at) => {
  if (typeof OffscreenCanvas === 'undefined' || !(value instanceof OffscreenCanvas)) {
    refuse(at, 'expected an OffscreenCanvas');
  }
  return value;
};

const shortString = string(LIMITS.shortString);
const text = string(LIMITS.text);
const count = integer(0, Number.MAX_SAFE_INTEGER);
const callId = integer(1, Number.MAX_SAFE_INTEGER);
const permission = oneOf(PERMISSIONS);
const empty = object<Record<string, never>>({});
const ok = object<{ ok: true }>({ ok: oneOf([true] as const) });

const cell: Guard<string | number | boolean | null> = (value, at, budget) => {
  if (value === null) return null;
  if (typeof value === 'string') return text(value, at, budget);
  if (typeof value === 'number') return finite()(value, at, budget);
  return boolean(value, at, budget);
};

/** The view tree, with its depth and node count bounded. */
function viewNode(): Guard<ViewNode> {
  const stack = (depth: number, nodes: { count: number }) =>
    object<Extract<ViewNode, { type: 'stack' }>>(
      {
        type: oneOf(['stack'] as const),
        direction: oneOf(['row', 'column'] as const),
        gap: integer(0, 64),
        children: array(node(depth + 1, nodes), LIMITS.viewNodes),
      },
      ['direction', 'gap'],
    );
  const leaves: Record<string, Guard<ViewNode>> = {
    text: object<Extract<ViewNode, { type: 'text' }>>(
      {
        type: oneOf(['text'] as const),
        text,
        style: oneOf(['body', 'heading', 'muted', 'code', 'error'] as const),
      },
      ['style'],
    ),
    button: object<Extract<ViewNode, { type: 'button' }>>(
      { type: oneOf(['button'] as const), id: shortString, label: shortString, disabled: boolean },
      ['disabled'],
    ),
    select: object<Extract<ViewNode, { type: 'select' }>>(
      {
        type: oneOf(['select'] as const),
        id: shortString,
        label: shortString,
        value: shortString,
        options: array(object({ value: shortString, label: shortString }), LIMITS.columns),
      },
      ['value'],
    ),
    checkbox: object<Extract<ViewNode, { type: 'checkbox' }>>({
      type: oneOf(['checkbox'] as const),
      id: shortString,
      label: shortString,
      checked: boolean,
    }),
    input: object<Extract<ViewNode, { type: 'input' }>>({
      type: oneOf(['input'] as const),
      id: shortString,
      label: shortString,
      inputType: oneOf(['text', 'number'] as const),
      value: text,
    }),
    table: (value, at, budget) => {
      const table = object<Extract<ViewNode, { type: 'table' }>>({
        type: oneOf(['table'] as const),
        columns: array(shortString, LIMITS.columns),
        rows: array(array(cell, LIMITS.columns), LIMITS.tableCells),
      })(value, at, budget);
      const cells = table.rows.reduce((sum, row) => sum + row.length, 0);
      if (cells > LIMITS.tableCells) {
        throw new Refusal('too_large', `${at}: more than ${LIMITS.tableCells} cells`);
      }
      return table;
    },
    progress: object<Extract<ViewNode, { type: 'progress' }>>({
      type: oneOf(['progress'] as const),
      value: finite(0),
      max: finite(Number.MIN_VALUE),
    }),
    svg: object<Extract<ViewNode, { type: 'svg' }>>({
      type: oneOf(['svg'] as const),
      markup: string(LIMITS.markup),
    }),
    canvas: object<Extract<ViewNode, { type: 'canvas' }>>({
      type: oneOf(['canvas'] as const),
      id: shortString,
    }),
  };
  function node(depth: number, nodes: { count: number }): Guard<ViewNode> {
    return (value, at, budget) => {
      if (depth > LIMITS.viewDepth) refuse(at, `nested deeper than ${LIMITS.viewDepth}`);
      nodes.count += 1;
      if (nodes.count > LIMITS.viewNodes) {
        throw new Refusal('too_large', `${at}: more than ${LIMITS.viewNodes} view nodes`);
      }
      if (!isPlainObject(value)) refuse(at, 'expected a view node');
      const type = value.type;
      if (type === 'stack') return stack(depth, nodes)(value, at, budget);
      const guard = typeof type === 'string' && Object.hasOwn(leaves, type) ? leaves[type] : null;
      if (!guard) refuse(`${at}.type`, 'unknown view node type');
      return guard(value, at, budget);
    };
  }
  return (value, at, budget) => node(1, { count: 0 })(value, at, budget);
}

type Params<M extends MethodName> = MethodMap[M]['params'];
type Result<M extends MethodName> = MethodMap[M]['result'];

const PARAMS: { readonly [M in MethodName]: Guard<Params<M>> } = {
  'session.info': empty,
  'data.read': object<Params<'data.read'>>(
    {
      columns: array(shortString, LIMITS.columns),
      offset: count,
      limit: integer(1, Number.MAX_SAFE_INTEGER),
    },
    ['offset', 'limit'],
  ),
  'data.write': object<Params<'data.write'>>(
    {
      mode: oneOf(['columns', 'table'] as const),
      ipc: arrayBuffer(LIMITS.writeBytes),
      name: shortString,
    },
    ['name'],
  ),
  'selection.get': empty,
  'selection.subscribe': empty,
  'ui.setTitle': object<Params<'ui.setTitle'>>({ title: string(LIMITS.title) }),
  'ui.setHeight': object<Params<'ui.setHeight'>>({
    height: integer(LIMITS.minHeight, LIMITS.maxHeight),
  }),
  'ui.render': object<Params<'ui.render'>>({ view: viewNode() }),
  'ui.svg': object<Params<'ui.svg'>>({ markup: string(LIMITS.markup) }),
  'ui.canvas': object<Params<'ui.canvas'>>({
    id: shortString,
    width: integer(1, LIMITS.canvasSize),
    height: integer(1, LIMITS.canvasSize),
  }),
  'storage.get': object<Params<'storage.get'>>({ key: string(LIMITS.storageKey) }),
  'storage.set': object<Params<'storage.set'>>({
    key: string(LIMITS.storageKey),
    value: nullable(string(LIMITS.storageValue)),
  }),
};

const RESULTS: { readonly [M in MethodName]: Guard<Result<M>> } = {
  'session.info': object<Result<'session.info'>>({
    pluginId: shortString,
    instanceId: shortString,
    permissions: array(permission, PERMISSIONS.length),
    table: object({
      name: shortString,
      rowCount: count,
      columns: array(object({ name: shortString, type: shortString }), LIMITS.columns),
    }),
  }),
  'data.read': object<Result<'data.read'>>({
    ipc: arrayBuffer(Number.MAX_SAFE_INTEGER),
    rows: count,
  }),
  'data.write': object<Result<'data.write'>>(
    { columns: array(shortString, LIMITS.columns), rows: count, tableName: shortString },
    ['tableName'],
  ),
  'selection.get': object<Result<'selection.get'>>({
    rows: array(count, LIMITS.selectionRows),
  }),
  'selection.subscribe': object<Result<'selection.subscribe'>>({
    subscribed: oneOf([true] as const),
  }),
  'ui.setTitle': ok,
  'ui.setHeight': ok,
  'ui.render': ok,
  'ui.svg': ok,
  'ui.canvas': object<Result<'ui.canvas'>>({ canvas: offscreenCanvas }),
  'storage.get': object<Result<'storage.get'>>({ value: nullable(string(LIMITS.storageValue)) }),
  'storage.set': ok,
};

const protocolError = object<ProtocolError>(
  { code: oneOf(ERROR_CODES), message: text, cause: text },
  ['cause'],
);

const handshake = object<HandshakeMessage>({
  type: oneOf(['enclave:handshake'] as const),
  version: oneOf([1] as const),
  instanceId: shortString,
  pluginId: shortString,
  permissions: array(permission, PERMISSIONS.length),
});

const seqMessage = <K extends 'ping' | 'pong'>(kind: K) =>
  object<{ kind: K; seq: number }>({ kind: oneOf([kind]), seq: count });

const uiEvent = {
  'ui.click': object({
    kind: oneOf(['event'] as const),
    event: oneOf(['ui.click'] as const),
    id: shortString,
  }),
  'ui.change': object({
    kind: oneOf(['event'] as const),
    event: oneOf(['ui.change'] as const),
    id: shortString,
    value: (value: unknown, at: string, budget: Budget) =>
      typeof value === 'boolean' ? boolean(value, at, budget) : text(value, at, budget),
  }),
  'ui.pointer': object({
    kind: oneOf(['event'] as const),
    event: oneOf(['ui.pointer'] as const),
    id: shortString,
    type: oneOf(['down', 'move', 'up', 'leave'] as const),
    x: finite(),
    y: finite(),
  }),
} as const;

const hostEvent = {
  selection: object({
    kind: oneOf(['event'] as const),
    event: oneOf(['selection'] as const),
    rows: array(count, LIMITS.selectionRows),
  }),
  shutdown: object({
    kind: oneOf(['event'] as const),
    event: oneOf(['shutdown'] as const),
    reason: text,
  }),
} as const;

/** The outcome of a parse: the message, or the protocol error that refuses it. */
export type Parsed<T> =
  | { readonly ok: true; readonly message: T }
  | { readonly ok: false; readonly id: number | null; readonly error: ProtocolError };

function run<T>(parse: (budget: Budget) => T, id: number | null): Parsed<T> {
  try {
    return { ok: true, message: parse(new Budget()) };
  } catch (caught) {
    if (caught instanceof Refusal) {
      return { ok: false, id, error: { code: caught.code, message: caught.message } };
    }
    // A getter or proxy that threw while being inspected: refuse it like any malformed value.
    return { ok: false, id, error: { code: 'invalid_params', message: 'unreadable message' } };
  }
}

function kindOf(data: unknown): unknown {
  return isPlainObject(data) ? data.kind : undefined;
}

/** The call id of `data` when it is readable as one, so that a refusal can answer that call. */
function callIdOf(data: unknown): number | null {
  if (!isPlainObject(data)) return null;
  const id = data.id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 1 ? id : null;
}

/**
 * Validates the handshake posted to the frame's window: the exact message and exactly one port.
 * Whether it came from `window.parent`, and only once, the caller checks.
 *
 * @example
 * const handshake = parseHandshake(event.data, event.ports);
 * if (handshake) start(handshake, event.ports[0]);
 */
export function parseHandshake(data: unknown, ports: readonly unknown[]): HandshakeMessage | null {
  if (ports.length !== 1) return null;
  const parsed = run((budget) => handshake(data, 'handshake', budget), null);
  return parsed.ok ? parsed.message : null;
}

/** What `parseWorkerMessage` reads: the worker's messages but its egress reports. */
export type WorkerCallOrPong = Exclude<FromWorkerMessage, { kind: 'egress_blocked' }>;

/**
 * Validates a message from the plugin's worker: a call of an allow-listed method with valid
 * params, or a pong. A refused call keeps its id (when readable) so it can be answered.
 * `egress_blocked` reports are not read here: the relay reduces them (egress-report.ts).
 *
 * @example
 * const parsed = parseWorkerMessage(event.data);
 * if (!parsed.ok) worker.postMessage({ kind: 'error', id: parsed.id, error: parsed.error });
 */
export function parseWorkerMessage(data: unknown): Parsed<WorkerCallOrPong> {
  const kind = kindOf(data);
  if (kind === 'pong') return run((budget) => seqMessage('pong')(data, 'message', budget), null);
  const id = callIdOf(data);
  if (kind !== 'call') {
    return { ok: false, id, error: { code: 'invalid_params', message: 'message: unknown kind' } };
  }
  const method = (data as Record<string, unknown>).method;
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    const name = typeof method === 'string' ? JSON.stringify(method.slice(0, 100)) : 'missing';
    return {
      ok: false,
      id,
      error: { code: 'unknown_method', message: `method ${name} is not allowed` },
    };
  }
  const name = method as MethodName;
  const call = object<{ kind: 'call'; id: number; method: MethodName; params: unknown }>({
    kind: oneOf(['call'] as const),
    id: callId,
    method: oneOf([name]),
    params: PARAMS[name] as Guard<unknown>,
  });
  return run((budget) => call(data, 'message', budget) as WorkerCallOrPong, id);
}

/** Which method an open call id belongs to (undefined: no such open call). */
export type MethodOfCall = (id: number) => MethodName | undefined;

function parseInbound(
  data: unknown,
  methodOf: MethodOfCall,
  withUiEvents: boolean,
): ToWorkerMessage | null {
  const kind = kindOf(data);
  const parsed = run((budget): ToWorkerMessage | null => {
    const record = data as Record<string, unknown>;
    switch (kind) {
      case 'ping':
        return seqMessage('ping')(data, 'message', budget);
      case 'result': {
        const id = callIdOf(data);
        const method = id === null ? undefined : methodOf(id);
        if (method === undefined) return null;
        const result = object<{ kind: 'result'; id: number; result: unknown }>({
          kind: oneOf(['result'] as const),
          id: callId,
          result: RESULTS[method] as Guard<unknown>,
        });
        return result(data, 'message', budget) as ToWorkerMessage;
      }
      case 'error': {
        const message = object<{ kind: 'error'; id: number | null; error: ProtocolError }>({
          kind: oneOf(['error'] as const),
          id: nullable(callId),
          error: protocolError,
        })(data, 'message', budget);
        if (message.id !== null && methodOf(message.id) === undefined) return null;
        return message;
      }
      case 'event': {
        const event = record.event;
        if (event === 'selection' || event === 'shutdown') {
          return hostEvent[event](data, 'message', budget) as ToWorkerMessage;
        }
        if (
          withUiEvents &&
          (event === 'ui.click' || event === 'ui.change' || event === 'ui.pointer')
        ) {
          return uiEvent[event](data, 'message', budget) as ToWorkerMessage;
        }
        return null;
      }
      default:
        return null;
    }
  }, null);
  return parsed.ok ? parsed.message : null;
}

/**
 * Validates a message from the host for the worker: a result (checked against the method of the
 * open call it answers), an error, a host event or a ping. Anything else is null (dropped).
 *
 * @example
 * const message = parseHostMessage(event.data, (id) => openCalls.get(id));
 * if (message) worker.postMessage(message);
 */
export function parseHostMessage(
  data: unknown,
  methodOf: MethodOfCall,
): HostToPluginMessage | null {
  return parseInbound(data, methodOf, false) as HostToPluginMessage | null;
}

/**
 * Validates a message that reached the plugin's worker: what `parseHostMessage` accepts, plus
 * the runtime's UI events. The SDK drops whatever this returns null for.
 *
 * @example
 * const message = parseToWorkerMessage(event.data, (id) => pending.get(id)?.method);
 */
export function parseToWorkerMessage(
  data: unknown,
  methodOf: MethodOfCall,
): ToWorkerMessage | null {
  return parseInbound(data, methodOf, true);
}
