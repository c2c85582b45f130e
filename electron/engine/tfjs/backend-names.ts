// The names --backend and AEZ_BACKEND accept, apart from the code that loads them: the CLI checks a name
// before it loads anything heavy (TensorFlow.js alone takes half a second to import).
export const TFJS_BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type TfjsBackendName = (typeof TFJS_BACKEND_NAMES)[number];
/** onnxruntime execution providers, best first (inference only). */
export const ORT_BACKEND_NAMES = ['ort-cuda', 'ort-dml', 'ort-coreml', 'ort'] as const;
export type OrtBackendName = (typeof ORT_BACKEND_NAMES)[number];
/** Every name --backend and AEZ_BACKEND accept. */
export const BACKEND_NAMES = [...ORT_BACKEND_NAMES, ...TFJS_BACKEND_NAMES] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}

export function isTfjsBackendName(s: string): s is TfjsBackendName {
  return (TFJS_BACKEND_NAMES as readonly string[]).includes(s);
}

export function isOrtBackendName(s: string): s is OrtBackendName {
  return (ORT_BACKEND_NAMES as readonly string[]).includes(s);
}
