// A Server-Sent Events connection that stays up: EventSource retries by itself while the server is unreachable;
// when it gives up (the server answered with an error, e.g. while restarting), a new one is opened after a pause.
// The status element says whether the page is live. Closed on pagehide, so that leaving the page aborts nothing
// the browser would report.

type Handlers = Record<string, (data: unknown) => void>;

interface Live {
  /** Stops listening for good. */
  close(): void;
}

export function connectLive(url: string, handlers: Handlers, statusElement: HTMLElement | null): Live {
  let source: EventSource | null = null;
  let retry: number | undefined;
  let closed = false;
  const say = (text: string, state: string): void => {
    if (!statusElement) return;
    statusElement.textContent = text;
    statusElement.dataset.state = state;
  };
  const open = (): void => {
    if (closed) return;
    source = new EventSource(url);
    source.addEventListener('open', () => say('● live', 'live'));
    source.addEventListener('error', () => {
      if (source?.readyState === EventSource.CLOSED) {
        source = null;
        say('○ reconnecting…', 'reconnecting');
        retry = window.setTimeout(open, 2000);
      } else {
        say('○ reconnecting…', 'reconnecting');
      }
    });
    for (const [event, handle] of Object.entries(handlers)) {
      source.addEventListener(event, (e) => handle(JSON.parse((e as MessageEvent<string>).data) as unknown));
    }
  };
  window.addEventListener('pagehide', () => {
    window.clearTimeout(retry);
    source?.close();
    source = null;
  });
  // Back to a page kept in the back/forward cache: listen again (the server sends the current state first).
  window.addEventListener('pageshow', (event) => {
    if (event.persisted && source === null) open();
  });
  open();
  return {
    close() {
      closed = true;
      window.clearTimeout(retry);
      source?.close();
      source = null;
    },
  };
}
