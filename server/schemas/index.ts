/**
 * Field schemas every feature's API shares, so that a name, an id or a tag is held to the same
 * rules everywhere: no control characters, bounded lengths, UUIDs only where an id is expected
 * (which also turns path tricks like `../` in an id into a 400 before anything is read).
 */
import { z } from '@hono/zod-openapi';

// Control characters (including NUL, which PostgreSQL's text refuses) and bidi overrides that
// make a name read differently from what it is.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const unsafeCharacters = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

// Half of a UTF-16 pair without its other half: not text, and PostgreSQL refuses it in jsonb.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A human-given name: trimmed, 1–200 characters, no control characters.
 *
 * @example
 * z.object({ name: NameSchema }).strict();
 */
export const NameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((value) => !unsafeCharacters.test(value), 'must not contain control characters')
  .refine((value) => !loneSurrogate.test(value), 'must be well-formed Unicode')
  .openapi({ example: 'Kinase screening' });

/** A longer free text (descriptions): up to 4000 characters, line breaks allowed. */
export const DescriptionSchema = z
  .string()
  .max(4000, 'must be at most 4000 characters')
  .refine(
    (value) =>
      // eslint-disable-next-line no-control-regex -- matching control characters is the point
      !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(value),
    'must not contain control characters',
  )
  .refine((value) => !loneSurrogate.test(value), 'must be well-formed Unicode');

export const IdSchema = z.uuid({ message: 'must be a UUID' });

/**
 * A path parameter `{id}`.
 *
 * @example
 * createRoute({ method: 'get', path: '/projects/{id}', request: { params: IdParamsSchema } });
 */
export const IdParamsSchema = z.object({
  id: IdSchema.openapi({
    param: { name: 'id', in: 'path' },
    example: '0b8c1f9e-6a55-4a47-9d5e-3f6b0d1c2a77',
  }),
});

const tagPart = z
  .string()
  .min(1)
  .max(64)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/,
    'letters, digits and _ . : - (starting with a letter or digit)',
  );

export const TagKeySchema = tagPart;
export const TagValueSchema = tagPart;

/** `key=value` labels on a resource: at most 20, keys and values from a safe alphabet. */
export const TagsSchema = z
  .record(TagKeySchema, TagValueSchema)
  .refine((tags) => Object.keys(tags).length <= 20, 'at most 20 tags')
  .openapi({ example: { sensitivity: 'restricted' } });

/** Who a grant is for. */
export const PrincipalRefSchema = z
  .object({ type: z.enum(['user', 'group']), id: IdSchema })
  .strict()
  .openapi('PrincipalRef');

export const ErrorResponseSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }),
  })
  .openapi('Error');

/**
 * The error answers a route documents, each with the one error shape.
 *
 * @example
 * responses: { 200: …, ...errorResponses(400, 403, 404) }
 */
export function errorResponses<Status extends number>(...statuses: Status[]) {
  const description: Record<number, string> = {
    400: 'Invalid input; nothing was changed.',
    403: 'Not allowed for the caller (the reason is in the message).',
    404: 'No such resource, or the caller may not know it exists.',
    409: 'The request clashes with the current state.',
    413: 'The body is too large.',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: description[status] ?? 'Error',
        content: { 'application/json': { schema: ErrorResponseSchema } },
      },
    ]),
  ) as Record<
    Status,
    { description: string; content: { 'application/json': { schema: typeof ErrorResponseSchema } } }
  >;
}
