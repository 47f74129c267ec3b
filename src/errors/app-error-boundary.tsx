/**
 * The last line of defence: a render error anywhere outside a route (the layout, the router
 * itself) replaces the app with a clear message instead of a blank page.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { ErrorPanel } from './error-panel.tsx';

interface State {
  error: unknown;
  failed: boolean;
}

export class AppErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: undefined, failed: false };

  static getDerivedStateFromError(error: unknown): State {
    return { error, failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    // The console is where a user's support contact will look first; keep the component stack.
    console.error('Enclave failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <main id="main" className="fatal">
        <h1>Enclave stopped</h1>
        <ErrorPanel
          error={this.state.error}
          title="The app could not be shown"
          onRetry={() => window.location.reload()}
        />
      </main>
    );
  }
}
