import createClient, { type Middleware } from 'openapi-fetch';
import type { paths as IntakePaths } from './intake';
import type { paths as RectificationPaths } from './rectification';
import type { paths as StatisticsPaths } from './statistics';
import intakeDoc from './intake.openapi.json';
import rectificationDoc from './rectification.openapi.json';
import statisticsDoc from './statistics.openapi.json';
import { session } from '../session';

/**
 * Typed clients of the three services, generated from their OpenAPI documents (openapi-typescript) and
 * called with openapi-fetch. Intake serves the console and forwards the other two services under
 * /console/svc/<service>, so every call goes to the console's own origin.
 */
const auth: Middleware = {
  async onRequest({ request }) {
    const token = await session.accessToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  async onResponse({ response }) {
    if (response.status === 401) session.expired();
    return response;
  },
};

export const SERVICE_BASE = {
  intake: '',
  rectification: '/console/svc/rectification',
  statistics: '/console/svc/statistics',
} as const;

export const intake = createClient<IntakePaths>({ baseUrl: location.origin + SERVICE_BASE.intake });
export const rectification = createClient<RectificationPaths>({ baseUrl: location.origin + SERVICE_BASE.rectification });
export const statistics = createClient<StatisticsPaths>({ baseUrl: location.origin + SERVICE_BASE.statistics });
for (const client of [intake, rectification, statistics]) client.use(auth);

/** RFC 9457 problem+json, as every service answers an error. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
}

/** The data of an openapi-fetch result, or an ApiError carrying the problem. */
export async function must<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<NonNullable<T>> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const problem = (error ?? {}) as Partial<Problem>;
    throw new ApiError({
      status: response.status,
      code: problem.code ?? 'HTTP_ERROR',
      title: problem.title ?? response.statusText,
      detail: problem.detail ?? '',
      errors: problem.errors,
    });
  }
  return data as NonNullable<T>;
}

/** An authenticated download (bulletin, CSV, XLSX): fetched with the bearer token, handed to the browser as a file. */
export async function download(service: keyof typeof SERVICE_BASE, path: string, filename?: string): Promise<Blob> {
  const token = await session.accessToken();
  const response = await fetch(`${SERVICE_BASE[service]}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as Partial<Problem>;
    throw new ApiError({
      status: response.status,
      code: problem.code ?? 'HTTP_ERROR',
      title: problem.title ?? '',
      detail: problem.detail ?? '',
    });
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  if (filename) {
    const a = document.createElement('a');
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } else {
    window.open(url, '_blank', 'noopener');
  }
  return blob;
}

/** A call to an endpoint the generated types may not know yet (see `capabilities`). */
export async function send(service: keyof typeof SERVICE_BASE, method: string, path: string, body?: unknown): Promise<unknown> {
  const token = await session.accessToken();
  const response = await fetch(`${SERVICE_BASE[service]}${path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = (await response.json().catch(() => ({}))) as Partial<Problem>;
  if (!response.ok) {
    throw new ApiError({
      status: response.status,
      code: payload.code ?? 'HTTP_ERROR',
      title: payload.title ?? '',
      detail: payload.detail ?? '',
      errors: payload.errors,
    });
  }
  return payload;
}

type Doc = {
  paths: Record<string, unknown>;
  components?: { schemas?: Record<string, { properties?: Record<string, { enum?: string[] }> }> };
};
const DOCS: Record<keyof typeof SERVICE_BASE, Doc> = {
  intake: intakeDoc as Doc,
  rectification: rectificationDoc as Doc,
  statistics: statisticsDoc as Doc,
};

/**
 * What the services this console was built against offer: a control for an endpoint or a value the
 * contract has not got yet (publishing a quarter, NO_CONTACT) is left out rather than faked.
 */
export const capabilities = {
  has(service: keyof typeof SERVICE_BASE, path: string): boolean {
    return path in DOCS[service].paths;
  },
  enumOf(service: keyof typeof SERVICE_BASE, schema: string, property: string): string[] {
    return DOCS[service].components?.schemas?.[schema]?.properties?.[property]?.enum ?? [];
  },
  properties(service: keyof typeof SERVICE_BASE, schema: string): Record<string, unknown> | undefined {
    return DOCS[service].components?.schemas?.[schema]?.properties;
  },
};
