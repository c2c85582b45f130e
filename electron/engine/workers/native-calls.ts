// Counts this thread's asynchronous native calls (onnxruntime's session creation, runs and releases).
// Why: onnxruntime-node runs them on its own threads and calls back into JavaScript when they finish; if the
// worker thread that started one is terminated meanwhile, that callback finds its environment gone and
// onnxruntime's N-API wrapper throws from C++, which aborts the WHOLE process (SIGABRT, "terminate called
// after throwing an instance of 'Napi::Error'"). So a worker that owns onnxruntime is never terminated from
// outside: it is asked to retire, refuses new native calls, and ends itself once none is in flight.
import { AezError } from '../util/errors.js';

let inFlight = 0;
let stopped = false;
let idleWaiters: (() => void)[] = [];

/** Runs `start` (which begins one native call) and counts it until it settles; refused after stopNativeCalls(). */
export async function trackNative<T>(start: () => Promise<T>): Promise<T> {
  if (stopped) throw new AezError('CANCELLED', 'cancelled');
  inFlight++;
  try {
    return await start();
  } finally {
    if (--inFlight === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

/** From now on every new native call on this thread is refused with CANCELLED. */
export function stopNativeCalls(): void {
  stopped = true;
}

/** Resolves once no native call is in flight on this thread (at once when none is). */
export function whenNativeIdle(): Promise<void> {
  return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
}

/** How many native calls are in flight (for tests). */
export function nativeCallsInFlight(): number {
  return inFlight;
}

/**
 * Ends the current worker thread safely: no new native calls, wait for those in flight, then exit on a fresh
 * turn of the event loop (so the finished call's callback has fully returned into onnxruntime first).
 */
export async function retireThread(): Promise<never> {
  stopNativeCalls();
  await whenNativeIdle();
  await new Promise((r) => setImmediate(r));
  process.exit(0);
}
