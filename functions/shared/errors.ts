/**
 * Typed error hierarchy. Each error carries its HTTP status and becomes an RFC 9457
 * problem+json response in the HTTP chain; anything else is a 500 whose detail is never exposed.
 */

export interface FieldError {
  /** Dotted path of the offending field, e.g. `lines.0.qty`, or a CSV cell like `row 3, shift`. */
  field: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  abstract readonly title: string;
  /** URI reference identifying the problem type (relative; documented in docs/api.md). */
  abstract readonly type: string;
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(detail: string, options?: { errors?: FieldError[]; extra?: Record<string, unknown>; cause?: unknown }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errors = options?.errors;
    this.extra = options?.extra;
  }
}

export class ValidationError extends AppError {
  readonly status = 400;
  readonly title = "Invalid request";
  readonly type = "/problems/validation";
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly title = "Unauthorized";
  readonly type = "/problems/unauthorized";
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly title = "Forbidden";
  readonly type = "/problems/forbidden";
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly title = "Not found";
  readonly type = "/problems/not-found";
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly title = "Conflict";
  readonly type = "/problems/conflict";
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly title = "Unsupported media type";
  readonly type = "/problems/unsupported-media-type";
}

/** Optimistic-concurrency retries exhausted: the caller may retry. */
export class ContentionError extends AppError {
  readonly status = 503;
  readonly title = "Busy, retry";
  readonly type = "/problems/contention";
}

/**
 * A store (DynamoDB, SQS) cannot be reached: nothing was changed, the caller retries after
 * `retryAfterSeconds` (sent as `Retry-After`).
 */
export class StoreUnavailableError extends AppError {
  readonly status = 503;
  readonly title = "Service unavailable";
  readonly type = "/problems/unavailable";
  readonly retryAfterSeconds = 5;
  constructor(
    readonly part: "DynamoDB" | "SQS",
    options?: { cause?: unknown },
  ) {
    super(`${part} is unreachable; nothing was changed. Retry shortly.`, { ...options, extra: { part } });
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

/** Maps any thrown value to a problem document; unknown errors become an opaque 500. */
export function toProblem(error: unknown): Problem {
  if (error instanceof AppError) {
    return {
      ...(error.extra ?? {}),
      type: error.type,
      title: error.title,
      status: error.status,
      detail: error.message,
      ...(error.errors ? { errors: error.errors } : {}),
    };
  }
  return {
    type: "/problems/internal",
    title: "Internal server error",
    status: 500,
    detail: "An unexpected error occurred; it has been logged.",
  };
}
