// A value made on first use by an async function and kept once it succeeds; a failure is not kept, so the
// next call tries again (a model folder that appears later, an engine that loads on a retry).
export class Lazy<T> {
  private value: Promise<T> | null = null;

  constructor(private readonly make: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.value) {
      const p = this.make();
      p.catch(() => {
        if (this.value === p) this.value = null;
      });
      this.value = p;
    }
    return this.value;
  }

  /** Forgets the value and hands back what was there (for disposal), without making one. */
  take(): Promise<T> | null {
    const p = this.value;
    this.value = null;
    return p;
  }
}
