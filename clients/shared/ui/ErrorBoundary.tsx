import { Component, type ReactNode } from 'react';

/**
 * A page that failed to render (or a page's code that could not be loaded,
 * e.g. after a new version replaced the old files) says so in the app's
 * language and offers a reload, instead of leaving a blank screen.
 */
export class ErrorBoundary extends Component<
  { title: string; text: string; reload: string; children: ReactNode },
  { failed: boolean }
> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="alert alert--error" role="alert">
        <h1>{this.props.title}</h1>
        <p>{this.props.text}</p>
        <p>
          <button type="button" className="button button--primary" onClick={() => window.location.reload()}>
            {this.props.reload}
          </button>
        </p>
      </div>
    );
  }
}
