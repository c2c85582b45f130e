// Fast gradient kernels for the wasm backend: being written (helper), replaced before commit.
export function registerWasmTrainingKernels(): void {}
