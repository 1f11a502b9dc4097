/**
 * The HTTP side of `churn serve`, on node:http: routing, the answer to every failure as a JSON
 * error (protocol errors included: malformed requests, headers too large or too slow), bounds on
 * connections and on the request data held at once, the metrics of every answer, and a graceful
 * stop that lets the requests in flight finish within a deadline.
 */
import { elapsedSeconds } from '../common/elapsed.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ExplainMethod } from '../forest/index.js';
import type { Logger } from '../logging/logger.js';
import type { ApiMetrics, ApiRoute } from '../monitoring/api-metrics.js';
import type { RiskSettings } from '../jobs/scoring/risk.js';
import { ByteBudget, ClientGoneError } from './body.js';
import { errorBody, HttpError, rawErrorResponse } from './http-error.js';
import type { ModelKeeper } from './model-keeper.js';
import { json, ROUTES, type Answer, type RouteContext } from './routes.js';

export interface ServerSettings {
  host: string;
  port: number;
  /** Largest request body, in bytes (413 beyond). */
  maxBodyBytes: number;
  /** Request-body bytes held at once over every connection (503 beyond). */
  maxBufferedBytes: number;
  /** Open connections at once; more are answered 503 and closed. */
  maxConnections: number;
  /** Longest wait for a request's headers, then for its body, in milliseconds (408 beyond). */
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** How long an idle keep-alive connection stays open, in milliseconds. */
  keepAliveTimeoutMs: number;
  risk: RiskSettings;
  maxFieldSize: number;
  /** How `?explain` explains (explain.method). */
  explainMethod: ExplainMethod;
}

export interface Stopped {
  /** Requests still unanswered at the deadline, whose connections were closed. */
  cutOff: number;
}

export class ScoringServer {
  private readonly server: Server;
  private readonly context: RouteContext;
  private readonly sockets = new Set<Socket>();
  private inFlight = 0;
  private stopping = false;
  private drained: (() => void) | null = null;
  private nextRequestId = 0;
  private readonly runId = Math.random().toString(36).slice(2, 8);

  constructor(
    private readonly settings: ServerSettings,
    keeper: ModelKeeper,
    private readonly metrics: ApiMetrics,
    private readonly log: Logger,
  ) {
    this.context = {
      keeper,
      metrics,
      body: { maxBytes: settings.maxBodyBytes, timeoutMs: settings.bodyTimeoutMs },
      budget: new ByteBudget(settings.maxBufferedBytes),
      risk: settings.risk,
      maxFieldSize: settings.maxFieldSize,
      explainMethod: settings.explainMethod,
      stopping: () => this.stopping,
    };
    this.server = createServer(
      {
        headersTimeout: settings.headersTimeoutMs,
        // The body has a deadline of its own (readBody), answered with a JSON 408.
        requestTimeout: 0,
        keepAliveTimeout: settings.keepAliveTimeoutMs,
        // How often Node looks for requests past headersTimeout (its default is 30 s).
        connectionsCheckingInterval: Math.min(1000, settings.headersTimeoutMs),
        noDelay: true,
      },
      (request, response) => void this.handle(request, response),
    );
    this.server.on('connection', (socket: Socket) => this.accept(socket));
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
      this.refuse(error, socket),
    );
  }

  /** Starts listening; resolves with the address bound (port 0 picks a free one). */
  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.settings.port, this.settings.host, () => {
        this.server.off('error', reject);
        const address = this.server.address() as { address: string; port: number };
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /**
   * Stops taking connections and answers "not ready"; lets the requests in flight finish (their
   * answers close their connections) for up to `deadlineMs`, then closes what is left.
   */
  async stop(deadlineMs: number): Promise<Stopped> {
    this.stopping = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let cutOff = 0;
    if (this.inFlight > 0) {
      const drained = new Promise<void>((resolve) => (this.drained = resolve));
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadlineMs)));
      await Promise.race([drained, deadline]);
      clearTimeout(timer);
      cutOff = this.inFlight;
    }
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await closed;
    return { cutOff };
  }

  private accept(socket: Socket): void {
    if (this.sockets.size >= this.settings.maxConnections || this.stopping) {
      const error = this.stopping
        ? new HttpError(503, 'stopping', 'the server is stopping: retry on another instance')
        : new HttpError(
            503,
            'too_many_connections',
            `the server has ${this.sockets.size} connections open, as many as it allows ` +
              '(serve.maxConnections): retry in a moment',
            { 'Retry-After': '1' },
          );
      this.metrics.requestRefused(error.status);
      socket.pause(); // no request is read from it
      socket.end(rawErrorResponse(error), () => socket.destroy());
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** A request Node could not parse, or whose headers were too large or too slow. */
  private refuse(error: NodeJS.ErrnoException, socket: Socket): void {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const refusal =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new HttpError(
            408,
            'headers_timeout',
            `the request headers did not arrive within ${this.settings.headersTimeoutMs / 1000} s`,
          )
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? new HttpError(431, 'headers_too_large', 'the request headers are too large')
          : new HttpError(
              400,
              'bad_request',
              `not a valid HTTP request (${error.code ?? 'unparsable'})`,
            );
    this.metrics.requestRefused(refusal.status);
    // Destroyed once written: a client that never closes its side must not keep the socket.
    socket.end(rawErrorResponse(refusal), () => socket.destroy());
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = request.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const routeName: ApiRoute = path in ROUTES ? (path as ApiRoute) : 'other';
    this.inFlight++;
    this.metrics.requestStarted();
    response.once('close', () => {
      this.metrics.requestEnded(routeName, response.statusCode, elapsedSeconds(started));
      if (--this.inFlight === 0 && this.drained) this.drained();
    });
    let answer: Answer;
    try {
      answer = await this.answer(request, routeName, path, url, mark);
    } catch (error) {
      if (error instanceof ClientGoneError) {
        response.statusCode = 499; // nginx's "client closed request", for the metrics
        response.destroy();
        return;
      }
      answer = this.failure(error, request);
    }
    this.send(request, response, answer);
  }

  private async answer(
    request: IncomingMessage,
    routeName: ApiRoute,
    path: string,
    url: string,
    mark: number,
  ): Promise<Answer> {
    if (routeName === 'other') {
      throw new HttpError(404, 'not_found', `no route ${path}: try POST /predict, GET /model`);
    }
    const route = ROUTES[routeName];
    const method = request.method === 'HEAD' ? 'GET' : request.method;
    if (method !== route.method) {
      throw new HttpError(
        405,
        'method_not_allowed',
        `${path} answers ${route.method}, not ${request.method}`,
        { Allow: route.method === 'GET' ? 'GET, HEAD' : route.method },
      );
    }
    const query = new URLSearchParams(mark < 0 ? '' : url.slice(mark + 1));
    return route.handle(request, query, this.context);
  }

  private failure(error: unknown, request: IncomingMessage): Answer {
    if (error instanceof HttpError) return json(error.status, errorBody(error), error.headers);
    const requestId = `${this.runId}-${++this.nextRequestId}`;
    this.log.error(`unexpected failure answering ${request.method} ${request.url}`, {
      requestId,
      error,
    });
    const internal = new HttpError(
      500,
      'internal',
      'the server failed to answer: the reason is in its log under this request id',
    );
    return json(500, errorBody(internal, requestId));
  }

  private send(request: IncomingMessage, response: ServerResponse, answer: Answer): void {
    const headers: Record<string, string | number> = {
      'Content-Type': answer.contentType,
      'Content-Length': Buffer.byteLength(answer.body),
      ...answer.headers,
    };
    // A request whose body was not read (refused early) leaves the connection unusable; and a
    // stopping server moves its keep-alive clients elsewhere.
    if (this.stopping || !request.complete) headers.Connection = 'close';
    response.writeHead(answer.status, headers);
    response.end(answer.body);
  }
}
