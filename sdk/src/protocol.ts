/**
 * The plugin wire protocol: every message that crosses a plugin boundary, as tagged unions. Types
 * only: the host (src/plugins), the frame runtime (sdk/runtime) and the SDK (sdk/src) import it,
 * and each side validates what it receives against its own schema before acting on it.
 *
 * Three hops, one message shape:
 *
 *   host page ──(private MessageChannel port, handed over once in the handshake)── frame runtime
 *   frame runtime ──(the dedicated Worker's own postMessage)── plugin worker (SDK `connect()`)
 *
 * The runtime answers the `ui.*` calls itself (it owns the frame's document) and relays every
 * other call to the host unchanged, and every host message to the worker. Heartbeats go all the
 * way to the worker, so a busy loop in the plugin's code is seen by the host. `docs/plugin-protocol.md`
 * describes it for authors who write a plugin without the SDK.
 */

/** Bumped when a message changes incompatibly; the handshake carries it. */
export type ProtocolVersion = 1;

/** What a plugin may ask for in its manifest; the user approves them at first launch. */
export type PluginPermission =
  'data:read' | 'data:write' | 'selection:read' | 'ui:panel' | 'storage:own';

// ---------------------------------------------------------------------------------------------
// Handshake (host page → frame window, the only message that does not travel on the port)
// ---------------------------------------------------------------------------------------------

/**
 * Posted by the host to the frame's window once its document has loaded, with `port` as the
 * only transferred object. The runtime accepts it only from `window.parent`, only once, and from
 * then on listens to nothing but that port.
 */
export interface HandshakeMessage {
  readonly type: 'enclave:handshake';
  readonly version: ProtocolVersion;
  readonly instanceId: string;
  readonly pluginId: string;
  /** The permissions the user granted for this launch (a subset of the manifest's). */
  readonly permissions: readonly PluginPermission[];
}

// ---------------------------------------------------------------------------------------------
// Calls (plugin → host), results and errors (host → plugin)
// ---------------------------------------------------------------------------------------------

/** A column as the plugin sees it: only granted columns are ever described. */
export interface ColumnDescription {
  readonly name: string;
  /** The engine's logical type: int, float, bool, date, timestamp, string, category, … */
  readonly type: string;
}

export interface SessionInfo {
  readonly pluginId: string;
  readonly instanceId: string;
  readonly permissions: readonly PluginPermission[];
  /** The table the plugin was launched on, reduced to the columns the user handed it. */
  readonly table: {
    readonly name: string;
    readonly rowCount: number;
    readonly columns: readonly ColumnDescription[];
  };
}

/** Arrow IPC stream bytes; the buffer is transferred, never copied by structured clone. */
export interface ArrowPayload {
  readonly ipc: ArrayBuffer;
  readonly rows: number;
}

/** A node of the declarative view tree a plugin draws its panel with. */
export type ViewNode =
  | {
      readonly type: 'stack';
      readonly direction?: 'row' | 'column';
      readonly gap?: number;
      readonly children: readonly ViewNode[];
    }
  | {
      readonly type: 'text';
      readonly text: string;
      readonly style?: 'body' | 'heading' | 'muted' | 'code' | 'error';
    }
  | {
      readonly type: 'button';
      readonly id: string;
      readonly label: string;
      readonly disabled?: boolean;
    }
  | {
      readonly type: 'select';
      readonly id: string;
      readonly label: string;
      readonly value?: string;
      readonly options: readonly { readonly value: string; readonly label: string }[];
    }
  | {
      readonly type: 'checkbox';
      readonly id: string;
      readonly label: string;
      readonly checked: boolean;
    }
  | {
      readonly type: 'input';
      readonly id: string;
      readonly label: string;
      readonly inputType: 'text' | 'number';
      readonly value: string;
    }
  | {
      readonly type: 'table';
      readonly columns: readonly string[];
      readonly rows: readonly (readonly (string | number | boolean | null)[])[];
    }
  | { readonly type: 'progress'; readonly value: number; readonly max: number }
  /** Sanitised by the runtime (DOMPurify, SVG profile, no external references) before display. */
  | { readonly type: 'svg'; readonly markup: string }
  /** A canvas the worker draws on through the `OffscreenCanvas` that `ui.canvas` returned. */
  | { readonly type: 'canvas'; readonly id: string };

/** Every method, with its parameters and its result. The allow-list is exactly these keys. */
export interface MethodMap {
  /** No permission needed. */
  'session.info': { params: Record<string, never>; result: SessionInfo };
  /** `data:read`; every column must be one the user handed the plugin at launch. */
  'data.read': {
    params: {
      readonly columns: readonly string[];
      readonly offset?: number;
      readonly limit?: number;
    };
    result: ArrowPayload;
  };
  /**
   * `data:write`. `columns`: result columns joined to the launch table row by row (the row count
   * must match); names the table already has get the plugin's prefix. `table`: a new table.
   * Never changes the user's columns in place.
   */
  'data.write': {
    params: {
      readonly mode: 'columns' | 'table';
      readonly ipc: ArrayBuffer;
      readonly name?: string;
    };
    result: {
      readonly columns: readonly string[];
      readonly rows: number;
      readonly tableName?: string;
    };
  };
  /** `selection:read`: the selected row indexes of the launch table (at most 100 000). */
  'selection.get': { params: Record<string, never>; result: { readonly rows: readonly number[] } };
  /** `selection:read`: after this, the host sends `selection` events. */
  'selection.subscribe': { params: Record<string, never>; result: { readonly subscribed: true } };
  /** `ui:panel`: the panel's title in the host (≤ 80 characters). */
  'ui.setTitle': { params: { readonly title: string }; result: { readonly ok: true } };
  /** `ui:panel`: the frame's height in CSS pixels (80–2000). */
  'ui.setHeight': { params: { readonly height: number }; result: { readonly ok: true } };
  /** `ui:panel`, answered by the runtime: replaces the panel's content. */
  'ui.render': { params: { readonly view: ViewNode }; result: { readonly ok: true } };
  /** `ui:panel`, answered by the runtime: shorthand for rendering one `svg` node. */
  'ui.svg': { params: { readonly markup: string }; result: { readonly ok: true } };
  /**
   * `ui:panel`, answered by the runtime: the canvas of the `canvas` node `id` (rendered
   * before), as an `OffscreenCanvas` transferred to the worker. Once per canvas node.
   */
  'ui.canvas': {
    params: { readonly id: string; readonly width: number; readonly height: number };
    result: { readonly canvas: OffscreenCanvas };
  };
  /** `storage:own`: a value of this plugin's private store (per user), or null. */
  'storage.get': { params: { readonly key: string }; result: { readonly value: string | null } };
  /** `storage:own`: null deletes. Keys ≤ 200 characters, values ≤ 64 KiB, ≤ 1 MiB in all. */
  'storage.set': {
    params: { readonly key: string; readonly value: string | null };
    result: { readonly ok: true };
  };
}

export type MethodName = keyof MethodMap;

/** Calls the runtime answers itself; all others go to the host. */
export type RuntimeMethodName = 'ui.render' | 'ui.svg' | 'ui.canvas';
export type HostMethodName = Exclude<MethodName, RuntimeMethodName>;

export type CallMessage = {
  [M in MethodName]: {
    readonly kind: 'call';
    /** Chosen by the caller, unique among its open calls (a positive safe integer). */
    readonly id: number;
    readonly method: M;
    readonly params: MethodMap[M]['params'];
  };
}[MethodName];

export type ErrorCode =
  /** The method is not in the allow-list. */
  | 'unknown_method'
  /** The message or its parameters do not match the schema. */
  | 'invalid_params'
  /** The plugin was not granted the permission the method needs. */
  | 'permission_denied'
  /** `data.read` named a column the user did not hand the plugin (or that does not exist). */
  | 'column_not_granted'
  /** A payload over its limit. */
  | 'too_large'
  /** `data.write` bytes that are not a valid result (schema, row count, size). */
  | 'invalid_result'
  /** An admin's policy now blocks the plugin; the host tears it down right after. */
  | 'blocked'
  /** The host could not do what was asked (e.g. storage quota); `message` says why. */
  | 'failed';

export interface ProtocolError {
  readonly code: ErrorCode;
  readonly message: string;
  /** The cause as text, when there is one worth showing to the plugin's author. */
  readonly cause?: string;
}

export type ResultMessage = {
  [M in MethodName]: {
    readonly kind: 'result';
    readonly id: number;
    readonly result: MethodMap[M]['result'];
  };
}[MethodName];

export interface ErrorMessage {
  readonly kind: 'error';
  /** The call's id, or null when the message could not be read far enough to find one. */
  readonly id: number | null;
  readonly error: ProtocolError;
}

// ---------------------------------------------------------------------------------------------
// Events, heartbeats and lifecycle
// ---------------------------------------------------------------------------------------------

/** A user event on the panel, from the runtime to the worker. */
export type UiEvent =
  | { readonly kind: 'event'; readonly event: 'ui.click'; readonly id: string }
  | {
      readonly kind: 'event';
      readonly event: 'ui.change';
      readonly id: string;
      readonly value: string | boolean;
    }
  | {
      readonly kind: 'event';
      readonly event: 'ui.pointer';
      /** The canvas node's id. */
      readonly id: string;
      readonly type: 'down' | 'move' | 'up' | 'leave';
      /** In canvas pixels. */
      readonly x: number;
      readonly y: number;
    };

/** From the host, relayed to the worker. */
export type HostEvent =
  | { readonly kind: 'event'; readonly event: 'selection'; readonly rows: readonly number[] }
  /** The host is about to tear the plugin down (policy block, user closed it, …). */
  | { readonly kind: 'event'; readonly event: 'shutdown'; readonly reason: string };

/** Host → runtime → worker; the worker answers with a `pong` of the same `seq`. */
export interface PingMessage {
  readonly kind: 'ping';
  readonly seq: number;
}

export interface PongMessage {
  readonly kind: 'pong';
  readonly seq: number;
}

/** Runtime → host, once the plugin's worker has started; the host starts heartbeats then. */
export interface ReadyMessage {
  readonly kind: 'ready';
}

/** Runtime → host when the worker failed to start or crashed (`error` event). */
export interface CrashedMessage {
  readonly kind: 'crashed';
  readonly message: string;
}

/** The CSP directives an `egress_blocked` report may name (the frame's and files' policies). */
export type CspDirective =
  | 'default-src'
  | 'connect-src'
  | 'script-src'
  | 'script-src-elem'
  | 'script-src-attr'
  | 'style-src'
  | 'style-src-elem'
  | 'style-src-attr'
  | 'img-src'
  | 'font-src'
  | 'media-src'
  | 'object-src'
  | 'worker-src'
  | 'child-src'
  | 'frame-src'
  | 'manifest-src'
  | 'form-action'
  | 'base-uri'
  | 'fenced-frame-src';

/**
 * A request the frame's Content-Security-Policy blocked (a `securitypolicyviolation` in the
 * frame's document or in the plugin's worker). The runtime's worker prelude posts it to the
 * runtime before the plugin's code runs, the runtime relays it to the host, and the host reports
 * it to the server as the client event `plugin.egress_blocked`. It is a report, never a decision.
 */
export interface EgressBlockedMessage {
  readonly kind: 'egress_blocked';
  /** The violated directive (the event's `effectiveDirective`). */
  readonly directive: CspDirective;
  /**
   * What was blocked, reduced to origin and path (no query, no fragment), at most 300
   * characters; or the CSP keyword the browser gave (`inline`, `eval`, `data`, `blob`, …).
   */
  readonly blockedUri: string;
}

/** Everything the host may receive on a plugin's port. */
export type PluginToHostMessage =
  CallMessage | PongMessage | ReadyMessage | CrashedMessage | EgressBlockedMessage;

/** Everything the host may send on a plugin's port. */
export type HostToPluginMessage = ResultMessage | ErrorMessage | HostEvent | PingMessage;

/** Everything the worker may receive (from the runtime). */
export type ToWorkerMessage = HostToPluginMessage | UiEvent;

/**
 * Everything the worker may send (to the runtime). `egress_blocked` comes from the runtime's
 * prelude in the worker; the plugin's code could send one too, so it proves nothing.
 */
export type FromWorkerMessage = CallMessage | PongMessage | EgressBlockedMessage;
