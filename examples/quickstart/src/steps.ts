import { newTraceParent } from './trace-context';

/** One request of the tour. */
export interface TourStep {
  /** What it does, in a few words. */
  title: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  expectedStatus: number;
}

export interface StepResult {
  step: TourStep;
  status: number;
  statusText: string;
  /** The trace id sent in the step's traceparent: the whole request is one trace under it. */
  traceId: string;
  /** The span id sent in the traceparent: the parent of the gateway's SERVER span. */
  parentSpanId: string;
  body: string;
  ok: boolean;
}

export const TOUR_CLIENT_ID = 'demo-app';
export const TOUR_CLIENT_SECRET = 'correct-horse-battery-staple';

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** The tour: the same five requests the tests run. */
export function tourSteps(clientId: string = TOUR_CLIENT_ID, secret: string = TOUR_CLIENT_SECRET): TourStep[] {
  const json = { 'content-type': 'application/json' };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const create = JSON.stringify({ client_id: clientId, client_secret: secret });
  return [
    {
      title: `create client "${clientId}"`,
      method: 'POST',
      path: '/clients',
      headers: json,
      body: create,
      expectedStatus: 201,
    },
    {
      title: `create "${clientId}" again (unique key)`,
      method: 'POST',
      path: '/clients',
      headers: json,
      body: create,
      expectedStatus: 409,
    },
    {
      title: 'get a token with the right secret',
      method: 'POST',
      path: '/oauth2/token',
      headers: { ...form, authorization: basic(clientId, secret) },
      body: 'grant_type=client_credentials',
      expectedStatus: 200,
    },
    {
      title: 'get a token with a wrong secret',
      method: 'POST',
      path: '/oauth2/token',
      headers: { ...form, authorization: basic(clientId, 'not-the-secret') },
      body: 'grant_type=client_credentials',
      expectedStatus: 401,
    },
    { title: 'fetch a missing client', method: 'GET', path: '/clients/no-such-client', expectedStatus: 404 },
  ];
}

/** Sends one step to `baseUrl` with a fresh traceparent. */
export async function runStep(baseUrl: string, step: TourStep): Promise<StepResult> {
  const tp = newTraceParent();
  const res = await fetch(new URL(step.path, baseUrl), {
    method: step.method,
    headers: { ...step.headers, traceparent: tp.header },
    body: step.body,
  });
  const body = await res.text();
  return {
    step,
    status: res.status,
    statusText: res.statusText,
    traceId: tp.traceId,
    parentSpanId: tp.spanId,
    body,
    ok: res.status === step.expectedStatus,
  };
}
