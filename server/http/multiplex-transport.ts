// One long-lived McpServer serving every HTTP client at once. The SDK's
// stateless pattern builds a server and a transport per request (≈ a fifth of
// its time goes into McpServer's constructor); its single long-lived session
// in JSON mode keeps an entry per request forever (upstream #2559). This
// transport keeps one entry per call *in flight* and nothing after.
//
// The SDK's Protocol keys its handlers' abort controllers by request id, and
// two clients both send id 1: so every request gets an id of ours on the way
// in and its own id back on the way out. Notifications a tool sends about a
// call (progress, logs) go to that call's exchange, i.e. its own HTTP response.
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';

/** One call's way back to its client: an HTTP response (JSON, or SSE once it streams). */
export interface Exchange {
  /** The id the client chose. Set by dispatch(). */
  clientId: RequestId;
  /** Who may cancel this call by its id: the client's Mcp-Session-Id, or '' when it sent none. */
  owner: string;
  /** The call's result or error, already carrying the client's id. */
  reply(message: JSONRPCMessage): void;
  /** A notification about the call (progress, log message). */
  notify(message: JSONRPCMessage): void;
  /** The call was cancelled: end the exchange without a result. */
  abandon(reason: string): void;
}

// #region multiplex
export class MultiplexTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;

  #nextId = 0;
  readonly #inFlight = new Map<number, Exchange>();
  /** How a validated request reaches the server (see dispatchDirectlyTo). */
  #deliver: (request: JSONRPCRequest, extra: MessageExtraInfo) => void = (request, extra) => this.onmessage?.(request, extra);

  /**
   * The SDK's Protocol classifies every incoming message by trying zod
   * schemas in turn (response? error? request?): three full parses before a
   * request reaches its handler, about 40 % of the SDK's dispatch time in our
   * profile. Our HTTP layer has already checked exactly what the request
   * schema checks (streamable-http.ts, validate-message), so requests can go
   * straight to Protocol's request path. That path is internal to the SDK
   * (pinned at 1.32.2); without it, messages take the public route.
   */
  dispatchDirectlyTo(protocol: object): boolean {
    const onRequest = (protocol as { _onrequest?: (request: JSONRPCRequest, extra?: MessageExtraInfo) => void })._onrequest;
    if (typeof onRequest !== 'function') return false;
    this.#deliver = (request, extra) => onRequest.call(protocol, request, extra);
    return true;
  }

  async start(): Promise<void> {}

  /** Calls handed to the server and not yet answered. */
  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Hand a client's request to the server under an id of ours. Returns that id. */
  dispatch(request: JSONRPCRequest, exchange: Exchange, extra: MessageExtraInfo): number {
    const id = ++this.#nextId;
    exchange.clientId = request.id;
    this.#inFlight.set(id, exchange);
    // The parsed body is ours alone: rewrite in place instead of copying.
    request.id = id;
    this.#deliver(request, extra);
    return id;
  }

  /** A notification from a client. `notifications/cancelled` names the client's id; the server needs ours. */
  notification(notification: JSONRPCNotification, owner: string, extra: MessageExtraInfo): void {
    if (notification.method === 'notifications/cancelled') {
      const params = notification.params as { requestId?: RequestId; reason?: string } | undefined;
      const id = params?.requestId === undefined ? undefined : this.#find(owner, params.requestId);
      if (id !== undefined) this.cancel(id, params?.reason ?? 'cancelled by the client');
      return;
    }
    this.onmessage?.(notification, extra);
  }

  /**
   * Stop a call: the server aborts the handler's signal and, per the SDK's
   * Protocol, sends nothing for it; the exchange is ended here instead.
   */
  cancel(id: number, reason: string): void {
    const exchange = this.#inFlight.get(id);
    if (!exchange) return;
    this.#inFlight.delete(id);
    this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } });
    exchange.abandon(reason);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ('id' in message && !('method' in message)) {
      // A result or error for one of our ids. Unknown: it was cancelled, drop it.
      const id = message.id as number;
      const exchange = this.#inFlight.get(id);
      if (!exchange) return;
      this.#inFlight.delete(id);
      message.id = exchange.clientId;
      exchange.reply(message);
      return;
    }
    if ('id' in message) {
      // Sampling, elicitation, roots: the answer would arrive in another
      // POST that nothing ties back to this call. Fail the tool, not the process.
      throw new Error(`${(message as JSONRPCRequest).method}: server-to-client requests need a session; this server is stateless`);
    }
    const related = options?.relatedRequestId;
    if (related === undefined) return; // no standalone stream in a stateless server (list_changed and the like)
    this.#inFlight.get(related as number)?.notify(message);
  }

  async close(): Promise<void> {
    for (const id of [...this.#inFlight.keys()]) this.cancel(id, 'server closing');
    this.onclose?.();
  }

  /**
   * Our id for a client's request id. Only searched on cancellation (rare), so
   * no index is kept on the hot path. Without a session id two clients may
   * both have a call 1 in flight: then nothing is cancelled rather than the
   * wrong call (a client whose HTTP response closes is cancelled anyway).
   */
  #find(owner: string, clientId: RequestId): number | undefined {
    let found: number | undefined;
    for (const [id, exchange] of this.#inFlight) {
      if (exchange.owner !== owner || exchange.clientId !== clientId) continue;
      if (found !== undefined) return undefined;
      found = id;
    }
    return found;
  }
}
// #endregion multiplex
