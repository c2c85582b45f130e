// zod schemas for every argument that crosses from the renderer (IPC or HTTP) into the host. Nothing from
// the other side touches a file before it has passed one of these.
import { isAbsolute } from 'node:path';
import { z } from 'zod';

export const modelSchema = z.enum(['photo', 'scan']);
export const formatSchema = z.enum(['png', 'jpg', 'webp', 'tif', 'avif']);
export const themeSchema = z.enum(['system', 'light', 'dark']);

const pathString = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'contains a NUL character');

export const settingsSchema = z.object({
  outputDir: pathString.refine((p) => isAbsolute(p), 'must be an absolute folder path'),
  theme: themeSchema,
  format: formatSchema,
  model: modelSchema,
  sigma: z.number().min(0).max(100).nullable(),
});

export const settingsPatchSchema = settingsSchema.partial().strict();

export const addPathsSchema = z.array(pathString).min(1).max(10_000);

/** A file name as the user sees it; a folder part or an odd character is refused, not silently kept. */
export const fileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine((n) => !/[\\/\0]/.test(n) && n !== '.' && n !== '..', 'must be a plain file name');

export const jobRequestSchema = z
  .object({
    kind: z.literal('denoise'),
    input: pathString,
    model: modelSchema,
    sigma: z.number().min(0).max(100).nullable(),
    format: formatSchema,
  })
  .strict();

export const jobIdSchema = z.string().regex(/^job-\d{1,12}$/);

export const previewPathSchema = pathString;

/** Parse or throw an AezError-shaped message naming the argument. */
export function parseArg<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const why = r.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
  throw new HostError('BAD_ARGUMENT', `invalid ${what}: ${why}`);
}

/** An error for the renderer: a stable code and a message that says what to do. */
export class HostError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HostError';
  }
}
