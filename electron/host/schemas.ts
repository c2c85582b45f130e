// zod schemas for every argument that crosses from the renderer (IPC or HTTP) into the host. Nothing from
// the other side touches a file before it has passed one of these.
import { isAbsolute } from 'node:path';
import { z } from 'zod';

/** An installed model by id (a folder name in the models folder): 'photo', 'scan' or an exported one. */
export const modelSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be a model name (lower-case letters, digits, dashes)');
export const formatSchema = z.enum(['png', 'jpg', 'webp', 'tif', 'avif']);
export const themeSchema = z.enum(['system', 'light', 'dark']);

const pathString = z.string().min(1).max(4096).refine((p) => !p.includes('\0'), 'contains a NUL character');
const absoluteFolder = pathString.refine((p) => isAbsolute(p), 'must be an absolute folder path');

export const settingsSchema = z.object({
  outputDir: absoluteFolder,
  runsDir: absoluteFolder,
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

const compressFields = {
  input: pathString,
  quality: z.number().min(1).max(64),
  targetBytes: z.number().int().min(1).max(2 ** 40).nullable(),
};

export const jobRequestSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('denoise'),
      input: pathString,
      model: modelSchema,
      sigma: z.number().min(0).max(100).nullable(),
      format: formatSchema,
    })
    .strict(),
  z.object({ kind: z.literal('compress'), ...compressFields }).strict(),
  z.object({ kind: z.literal('restore'), input: pathString, format: formatSchema }).strict(),
  z.object({ kind: z.literal('inpaint'), input: pathString, mask: pathString, format: formatSchema }).strict(),
]);

export const estimateRequestSchema = z.object(compressFields).strict();

export const jobIdSchema = z.string().regex(/^job-\d{1,12}$/);

export const previewPathSchema = pathString;

// ---- Training ----

/** A run: a plain name (a folder in the runs folder) or an absolute folder path. */
export const runRefSchema = pathString.refine(
  (r) => isAbsolute(r) || /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/.test(r),
  'must be a run name (letters, digits, space, dot, dash, underscore; no slashes) or an absolute folder path',
).refine((r) => !/(^|[\\/])\.\.([\\/]|$)/.test(r), 'must not contain ".."');

const count = (max: number) => z.number().int().min(1).max(max);

export const trainRequestSchema = z
  .object({
    run: runRefSchema,
    task: z.enum(['photo', 'scan', 'inpaint', 'codec']).optional(),
    data: z.array(absoluteFolder).min(1).max(16).optional(),
    steps: count(10_000_000),
    valEvery: count(1_000_000).optional(),
    batch: count(256).optional(),
    patch: z.number().int().min(16).max(512).multipleOf(8).optional(),
    widths: z.array(z.number().int().min(1).max(512)).min(1).max(5).optional(),
    blocks: z.array(z.number().int().min(0).max(32)).min(1).max(5).optional(),
    initFrom: modelSchema.optional(),
  })
  .strict();

export const exportRequestSchema = z
  .object({
    run: runRefSchema,
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be 1 to 40 lower-case letters, digits or dashes, starting with a letter or digit'),
    dir: absoluteFolder.optional(),
  })
  .strict();

export const folderPurposeSchema = z.enum(['data', 'runs', 'export']);

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
