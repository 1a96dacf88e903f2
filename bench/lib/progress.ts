/**
 * Progress on stderr while the benchmark runs (the table goes to stdout, so
 * `npm run bench > out.txt` still shows progress). Lines are stamped with the elapsed time.
 */
export class Progress {
  private readonly started = performance.now();
  private lastTick = 0;

  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  private stamp(): string {
    return `[${((performance.now() - this.started) / 1000).toFixed(1).padStart(5)} s]`;
  }

  /** A new phase. */
  step(text: string): void {
    this.lastTick = performance.now();
    this.write(`${this.stamp()} ${text}`);
  }

  /** A status line inside a phase, at most one per `everyMs` (call it as often as you like). */
  tick(text: () => string, everyMs = 2000): void {
    const now = performance.now();
    if (now - this.lastTick < everyMs) return;
    this.lastTick = now;
    this.write(`${this.stamp()}   … ${text()}`);
  }

  elapsedSeconds(): number {
    return (performance.now() - this.started) / 1000;
  }
}
