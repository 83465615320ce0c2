import { z } from '@hono/zod-openapi';
import { UPLOAD_STATUSES } from '@fileflow/domain';

const BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
const IPV4_SHAPE = /^\d{1,3}(\.\d{1,3}){3}$/;
// C0 controls, DEL and C1 controls: S3 accepts some of them, but they break logs, headers and
// most clients that later read the key.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** Absolute http(s) URL without credentials. */
export const fileUrlSchema = z
  .string({ error: 'must be a string holding an absolute http or https URL' })
  .max(2048, 'must be at most 2048 characters')
  .superRefine((value, ctx) => {
    const problem = fileUrlProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({ example: 'https://example.com/photos/cat.jpg' });

function fileUrlProblem(value: string): string | null {
  if (!URL.canParse(value)) return 'must be an absolute http or https URL, such as https://example.com/a.jpg';
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `scheme "${url.protocol.replace(':', '')}" is not allowed: use http or https`;
  }
  if (url.username || url.password) return 'must not contain credentials: remove the user:password@ part';
  if (!url.hostname) return 'must name a host';
  return null;
}

/** S3 bucket name rules. */
export const bucketNameSchema = z
  .string({ error: 'must be a string holding an S3 bucket name' })
  .superRefine((value, ctx) => {
    const problem = bucketNameProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({ example: 'photos' });

function bucketNameProblem(name: string): string | null {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters long';
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may contain only lowercase letters, digits, dots and hyphens';
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) return 'must start and end with a lowercase letter or digit';
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
  .string({ error: 'must be a string holding an object key' })
  .superRefine((value, ctx) => {
    const problem = objectNameProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({ example: 'cats/cat 1.jpg' });

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
    { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'body must be a JSON object') },
  )
  .openapi('UploadRequest');

/** Body of the 202 answer. */
export const uploadAcceptedSchema = z
  .object({
    id: z.string().uuid(),
    message: z.literal('file upload initiated successfully'),
    status_url: z.string(),
  })
  .openapi('UploadAccepted');

/** The last error of an upload. */
const lastErrorSchema = z
  .object({ code: z.string(), class: z.enum(['retryable', 'permanent']), message: z.string() })
  .nullable();

/** Every field of an upload. */
export const uploadViewSchema = z
  .object({
    id: z.string().uuid(),
    file_url: z.string(),
    bucket_name: z.string(),
    object_name: z.string(),
    status: z.enum(UPLOAD_STATUSES),
    retry_count: z.number().int(),
    last_error: lastErrorSchema,
    etag: z.string().nullable(),
    size: z.number().int().nullable(),
    sha256: z.string().nullable(),
    content_type: z.string().nullable(),
    next_attempt_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    completed_at: z.string().nullable(),
    download_url: z.string().nullable().openapi({ description: 'Presigned GET URL, made on each read' }),
  })
  .openapi('Upload');

/** Path parameter of routes that take an upload id. */
export const uploadIdParamSchema = z.object({
  id: z
    .string()
    .uuid('must be an upload id (a UUID) as returned by POST /api/v1/upload')
    .openapi({ param: { name: 'id', in: 'path' } }),
});

/** Query of the upload listing. */
export const listQuerySchema = z.strictObject({
  status: z.enum(UPLOAD_STATUSES).optional().openapi({ param: { name: 'status', in: 'query' } }),
  bucket: bucketNameSchema.optional().openapi({ param: { name: 'bucket', in: 'query' } }),
  cursor: z.string().max(200).optional().openapi({ param: { name: 'cursor', in: 'query' } }),
  limit: z.coerce
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .default(20)
    .openapi({ param: { name: 'limit', in: 'query' } }),
});

/** A page of the listing. */
export const uploadPageSchema = z
  .object({ items: z.array(uploadViewSchema), next_cursor: z.string().nullable() })
  .openapi('UploadPage');

/** The one shape of every error answer. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional(),
    }),
  })
  .openapi('Error');
