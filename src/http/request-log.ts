import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * One access-log line per request, written when the response is done: the request (method, url, host, remote
 * address and port), the status and the response time, under the request id. Fastify's default writes two lines
 * ("incoming request" and "request completed"); on the refresh grant the second pino line with its redaction pass
 * was ~6 µs of event-loop time per request (bench/FINDINGS.md), for nothing the single line does not say.
 */
export class RequestLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    } else {
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
  }
}
