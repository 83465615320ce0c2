import { z } from '@hono/zod-openapi';
import { UPLOAD_STATUSES } from '@fileflow/domain';

const BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
const IPV4_SHAPE = /^\d{1,3}(\.\d{1,3}){3}$/;
// C0 controls, DEL and C1 controls: S3 accepts some of them, but they break logs, headers and
// most clients that later read the key.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
// The URL parser drops tabs and newlines and trims spaces and controls without a word, so a URL
// that contains them would be stored as text that differs from the URL fetched.
const URL_NOISE = /[\u0000-\u001f\u007f]|^\s|\s$/;
const MAX_URL_LENGTH = 2048;

/** Builds the error map of a string field: "is required" when absent, else `wrongType`. */
function stringError(wrongType: string) {
  return {
    error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : wrongType),
  };
}

/** Absolute http(s) URL without credentials. */
export const fileUrlSchema = z
  .string(stringError('must be a string containing an absolute http or https URL'))
  .superRefine((value, ctx) => {
    const problem = fileUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({
    description:
      'Absolute http or https URL without user name or password, ' +
      `at most ${MAX_URL_LENGTH} characters`,
    example: 'https://example.com/photos/cat.jpg',
    maxLength: MAX_URL_LENGTH,
  });

function fileUrlProblem(value: string): string | null {
  if (value.length > MAX_URL_LENGTH)
    return `must be at most ${MAX_URL_LENGTH} characters, not ${value.length}`;
  if (URL_NOISE.test(value))
    return 'must not contain control characters or start or end with a space';
  if (!URL.canParse(value))
    return 'must be an absolute http or https URL, such as https://example.com/a.jpg';
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const scheme = url.protocol.slice(0, 20).replace(':', '');
    return `scheme "${scheme}" is not allowed: use http or https`;
  }
  if (url.username || url.password)
    return 'must not contain credentials: remove the user:password@ part';
  if (!url.hostname) return 'must name a host';
  return null;
}

/** S3 bucket name: the naming rules of general purpose buckets. */
export const bucketNameSchema = z
  .string(stringError('must be a string containing an S3 bucket name'))
  .superRefine((value, ctx) => {
    const problem = bucketNameProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({
    description:
      'S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending ' +
      'with a letter or digit, not shaped like an IP address, without "..", and without the ' +
      'reserved prefixes xn--, sthree-, amzn-s3-demo- and suffixes -s3alias, --ol-s3, .mrap, ' +
      '--x-s3, --table-s3',
    example: 'photos',
    minLength: 3,
    maxLength: 63,
  });

function bucketNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63)
    return `must be 3 to 63 characters long, not ${name.length}`;
  if (!/^[a-z0-9.-]+$/.test(name))
    return 'may contain only lowercase letters, digits, dots and hyphens';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name))
    return 'must start and end with a lowercase letter or digit';
  if (name.includes('..')) return 'must not contain two dots in a row';
  if (IPV4_SHAPE.test(name)) return 'must not be shaped like an IP address';
  const prefix = BUCKET_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `must not start with the reserved prefix "${prefix}"`;
  const suffix = BUCKET_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `must not end with the reserved suffix "${suffix}"`;
  return null;
}

/** Object key: 1 to 1024 bytes of UTF-8, no control characters, no `.` or `..` segments. */
export const objectNameSchema = z
  .string(stringError('must be a string containing an object key'))
  .superRefine((value, ctx) => {
    const problem = objectNameProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({
    description:
      'Object key: 1 to 1024 bytes of UTF-8 without control characters and without "." or ".." ' +
      'path segments; stored exactly as sent',
    example: 'cats/cat 1.jpg',
    minLength: 1,
    maxLength: 1024,
  });

function objectNameProblem(name: string): string | null {
  if (!name.isWellFormed()) return 'must be valid UTF-8 text: it contains an unpaired surrogate';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes < 1 || bytes > 1024) return `must be 1 to 1024 bytes of UTF-8, not ${bytes}`;
  if (CONTROL_CHARACTERS.test(name)) return 'must not contain control characters';
  if (name.split('/').some((segment) => segment === '.' || segment === '..')) {
    return 'must not contain "." or ".." path segments';
  }
  return null;
}

/** Body of POST /api/v1/upload. */
export const uploadRequestSchema = z
  .strictObject(
    {
      file_url: fileUrlSchema,
      bucket_name: bucketNameSchema,
      object_name: objectNameSchema,
    },
    {
      error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object'),
    },
  )
  .openapi('UploadRequest');

/** Longest `Idempotency-Key`, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** Headers of POST /api/v1/upload. The validator matches header names case-insensitively. */
export const uploadHeadersSchema = z.object({
  'Idempotency-Key': z
    .string()
    .regex(
      new RegExp(`^[\\x20-\\x7e]{1,${MAX_IDEMPOTENCY_KEY_LENGTH}}$`),
      `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters`,
    )
    .optional()
    .openapi({
      param: { name: 'Idempotency-Key', in: 'header' },
      description:
        'Client-chosen key, 1 to 255 printable ASCII characters. A repeated request with the ' +
        'same key and body returns the first response instead of creating a second upload. ' +
        'The same key with a different body is rejected with 422.',
      example: 'order-4711-photo-1',
    }),
});

/** Body of the 202 response. */
export const uploadAcceptedSchema = z
  .object({
    id: z.uuid(),
    message: z.literal('file upload initiated successfully'),
    status_url: z
      .string()
      .openapi({ description: 'Path of the status route, also sent as Location' }),
  })
  .openapi('UploadAccepted');

/** The last error of an upload. */
const lastErrorSchema = z
  .object({ code: z.string(), class: z.enum(['retryable', 'permanent']), message: z.string() })
  .nullable();

const timestamp = z.iso.datetime();

/** Every field of an upload. */
export const uploadViewSchema = z
  .object({
    id: z.uuid(),
    file_url: z.string(),
    bucket_name: z.string(),
    object_name: z.string(),
    status: z.enum(UPLOAD_STATUSES),
    retry_count: z.number().int().openapi({ description: 'Retries after the first attempt' }),
    last_error: lastErrorSchema,
    etag: z.string().nullable(),
    size: z.number().int().nullable().openapi({ description: 'Bytes stored' }),
    sha256: z
      .string()
      .nullable()
      .openapi({ description: 'Lowercase hex SHA-256 of the stored bytes' }),
    content_type: z.string().nullable(),
    next_attempt_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    completed_at: timestamp.nullable(),
    download_url: z
      .string()
      .nullable()
      .openapi({ description: 'Presigned GET URL of a completed upload, made on each read' }),
  })
  .openapi('Upload');

/** Path parameter of routes that take an upload id. */
export const uploadIdParamSchema = z.object({
  id: z
    .uuid('must be an upload id (a UUID) as returned by POST /api/v1/upload')
    .openapi({ param: { name: 'id', in: 'path' } }),
});

/** Query of the upload listing. */
export const listQuerySchema = z.strictObject({
  status: z
    .enum(UPLOAD_STATUSES, { error: `must be one of ${UPLOAD_STATUSES.join(', ')}` })
    .optional()
    .openapi({ param: { name: 'status', in: 'query' } }),
  bucket: bucketNameSchema.optional().openapi({ param: { name: 'bucket', in: 'query' } }),
  cursor: z
    .string()
    .max(200, 'must be at most 200 characters: pass next_cursor from a previous page')
    .optional()
    .openapi({
      param: { name: 'cursor', in: 'query' },
      description: 'next_cursor of the previous page',
    }),
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 100' })
    .int('must be a whole number from 1 to 100')
    .min(1, 'must be a whole number from 1 to 100')
    .max(100, 'must be a whole number from 1 to 100')
    .default(20)
    .openapi({ param: { name: 'limit', in: 'query' }, description: 'Page size, 1 to 100' }),
});

/** A page of the listing. */
export const uploadPageSchema = z
  .object({
    items: z.array(uploadViewSchema),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Cursor of the next page; null on the last' }),
  })
  .openapi('UploadPage');

/** The one shape of every error response. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z
        .string()
        .openapi({ description: 'Stable machine-readable code', example: 'VALIDATION_FAILED' }),
      message: z.string().openapi({ description: 'What failed and how to fix it' }),
      field: z
        .string()
        .optional()
        .openapi({ description: 'Body field, parameter or header at fault' }),
    }),
  })
  .openapi('Error');
