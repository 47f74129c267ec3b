/**
 * One running plugin's frame and its end of the wire. The frame is `sandbox="allow-scripts"` and
 * nothing else (an opaque origin: no cookies, storage, popups, forms, top navigation), with no
 * features delegated (`allow=""`) and no referrer, loading the single-use launch URL on the plugin
 * site. On its first `load` the host makes a MessageChannel, serves one end with the broker and
 * hands the other to the frame in the handshake (target `'*'`: an opaque origin has no name;
 * the port, not the origin, is the channel from then on). A second `load` means the plugin
 * navigated its frame: it is torn down. The instance's state is polled every 2 s, so an admin's
 * block stops it within seconds; closing or leaving the page ends the instance on the server.
 */
import { useEffect, useRef, useState } from 'react';
import type { HandshakeMessage, SessionInfo } from '../../sdk/src/protocol.ts';
import { ApiRequestError } from '../api/api-request-error.ts';
import type { PluginLaunch } from '../api/plugins-api.ts';
import {
  createPluginBroker,
  terminationFor,
  type PluginBroker,
  type PluginBrokerHandlers,
  type PluginTermination,
} from './broker/index.ts';
import {
  useEndPluginInstance,
  usePluginInstanceState,
  useReportPluginEvent,
} from './use-plugin-instance.ts';

/** The frame's height until the plugin sets its own (80–2000). */
const INITIAL_HEIGHT = 320;

export interface PluginFrameProps {
  readonly launch: PluginLaunch;
  readonly session: SessionInfo;
  readonly handlers: Omit<PluginBrokerHandlers, 'setTitle' | 'setHeight'>;
  /** The selected rows of the launch view, or null while the grid shows other rows. */
  readonly selection: readonly number[] | null;
  readonly onTitle: (title: string) => void;
  /** The host stopped the plugin; the frame is gone once the parent stops rendering it. */
  readonly onStopped: (termination: PluginTermination) => void;
}

export function PluginFrame({
  launch,
  session,
  handlers,
  selection,
  onTitle,
  onStopped,
}: PluginFrameProps) {
  const frameRef = useRef<HTMLIFrameElement>(null);
  const brokerRef = useRef<PluginBroker | null>(null);
  const loads = useRef(0);
  const stopped = useRef(false);
  const [height, setHeight] = useState(INITIAL_HEIGHT);
  const report = useReportPluginEvent(launch.instanceId);
  const end = useEndPluginInstance();
  const state = usePluginInstanceState(launch.instanceId);

  // The broker lives longer than a render: it reaches the latest props through this.
  const latest = useRef({
    handlers,
    onTitle,
    onStopped,
    report: report.mutateAsync,
    end: end.mutate,
  });
  useEffect(() => {
    latest.current = { handlers, onTitle, onStopped, report: report.mutateAsync, end: end.mutate };
  });

  function stop(termination: PluginTermination) {
    if (stopped.current) return;
    if (brokerRef.current) {
      brokerRef.current.terminate(termination);
      return;
    }
    stopped.current = true;
    latest.current.end(launch.instanceId);
    latest.current.onStopped(termination);
  }

  function onLoad() {
    loads.current += 1;
    if (loads.current > 1) {
      stop({ code: 'navigated', message: 'the plugin navigated its frame' });
      return;
    }
    const target = frameRef.current?.contentWindow;
    if (!target || stopped.current) return;
    const { port1, port2 } = new MessageChannel();
    brokerRef.current = createPluginBroker({
      port: port1,
      session,
      handlers: {
        readColumns: (columns, window) => latest.current.handlers.readColumns(columns, window),
        prepareWrite: (params) => latest.current.handlers.prepareWrite(params),
        storageGet: (key) => latest.current.handlers.storageGet(key),
        storageSet: (key, value) => latest.current.handlers.storageSet(key, value),
        selection: () => latest.current.handlers.selection(),
        setTitle: (title) => latest.current.onTitle(title),
        setHeight,
      },
      report: (event) => latest.current.report(event),
      onTerminate: (termination) => {
        stopped.current = true;
        latest.current.end(launch.instanceId);
        latest.current.onStopped(termination);
      },
    });
    const handshake: HandshakeMessage = {
      type: 'enclave:handshake',
      version: 1,
      instanceId: launch.instanceId,
      pluginId: launch.plugin.id,
      permissions: launch.permissions,
    };
    target.postMessage(handshake, '*', [port2]);
  }

  // The server's word, every 2 s: anything but `active` (or an instance it no longer knows).
  const serverState = state.data?.state;
  const serverReason = state.data?.reason ?? null;
  const lost =
    state.error instanceof ApiRequestError && [403, 404, 410].includes(state.error.status);
  useEffect(() => {
    if (serverState === 'blocked' || serverState === 'ended') {
      stop(terminationFor({ state: serverState, reason: serverReason }));
    } else if (lost) {
      stop(terminationFor({ state: 'ended', reason: null }));
    }
    // `stop` reads refs only.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [serverState, serverReason, lost]);

  useEffect(() => {
    if (selection) brokerRef.current?.notifySelection(selection);
  }, [selection]);

  // Closing or leaving ends the instance. Deferred a tick: StrictMode's trial unmount in
  // development is followed at once by a mount, which cancels it.
  const pendingEnd = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    clearTimeout(pendingEnd.current);
    return () => {
      pendingEnd.current = setTimeout(() => {
        if (stopped.current) return;
        stopped.current = true;
        brokerRef.current?.close('The user closed the plugin.');
        latest.current.end(launch.instanceId);
      }, 0);
    };
  }, [launch.instanceId]);

  return (
    <iframe
      ref={frameRef}
      className="plugin-frame"
      title={`Plugin ${launch.plugin.name}`}
      src={launch.url}
      sandbox="allow-scripts"
      allow=""
      referrerPolicy="no-referrer"
      style={{ height }}
      onLoad={onLoad}
    />
  );
}
