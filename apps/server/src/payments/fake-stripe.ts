import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

/** One request the fake received: its form fields (flattened, as Stripe encodes them) and key. */
export interface FakeStripeRequest {
  path: string;
  form: Record<string, string>;
  idempotencyKey: string | undefined;
}

/**
 * For tests: a local HTTP server that speaks the two Stripe endpoints Jeton calls (form-encoded
 * `POST /v1/checkout/sessions` and `POST /v1/transfers`), so the official client runs unchanged and
 * nothing reaches the internet. `nextTransfer` makes the next transfer fail like Stripe would.
 */
export class FakeStripe {
  readonly requests: FakeStripeRequest[] = [];
  /** `refuse`: a 400 (a definite refusal); `crash`: a 500 (an unknown outcome). */
  nextTransfer: 'ok' | 'refuse' | 'crash' = 'ok';
  #server: Server | null = null;
  #count = 0;

  async start(): Promise<Stripe> {
    this.#server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const form = Object.fromEntries(new URLSearchParams(body));
        const key = req.headers['idempotency-key'];
        this.requests.push({
          path: req.url ?? '',
          form,
          idempotencyKey: typeof key === 'string' ? key : undefined,
        });
        const [status, json] = this.#answer(req.method ?? '', req.url ?? '', form);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      });
    });
    const server = this.#server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new Stripe('sk_test_fake', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #answer(method: string, path: string, form: Record<string, string>): [number, unknown] {
    const n = ++this.#count;
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const id = `cs_test_${n}`;
      return [
        200,
        {
          id,
          object: 'checkout.session',
          url: `https://checkout.stripe.test/c/pay/${id}`,
          amount_total: Number(form['line_items[0][price_data][unit_amount]']),
          currency: form['line_items[0][price_data][currency]'],
          client_reference_id: form.client_reference_id,
          payment_status: 'unpaid',
          status: 'open',
        },
      ];
    }
    if (method === 'POST' && path === '/v1/transfers') {
      const mode = this.nextTransfer;
      this.nextTransfer = 'ok';
      if (mode === 'refuse') {
        return [400, { error: { type: 'invalid_request_error', message: 'No such destination: acct_gone' } }];
      }
      if (mode === 'crash') return [500, { error: { type: 'api_error', message: 'Something went wrong' } }];
      return [
        200,
        { id: `tr_${n}`, object: 'transfer', amount: Number(form.amount), destination: form.destination },
      ];
    }
    return [404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${path})` } }];
  }
}
