/** A one-line progress bar on stderr, drawn only when stderr is a terminal. */

/** The part of a writable stream the bar needs. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Progress bar: `label [#######-------]  45%  detail`. Redraws at most ten times per second;
 * does nothing when the stream is not a TTY (pipes, files, CI logs) or when disabled.
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private lastDraw = 0;
  private drawn = false;

  /**
   * @param stream - where to draw (stderr)
   * @param enabled - false to never draw (e.g. `--quiet`) @defaultValue true
   */
  constructor(private readonly stream: ProgressStream, enabled = true) {
    this.enabled = enabled && stream.isTTY === true;
  }

  /**
   * Redraws the bar.
   * @param fraction - done share in [0, 1]
   * @param label - text before the bar
   * @param detail - text after the percentage
   */
  update(fraction: number, label: string, detail = ''): void {
    if (!this.enabled) return;
    const time = Date.now();
    if (fraction < 1 && time - this.lastDraw < 100) return;
    this.lastDraw = time;
    const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
    const width = 24;
    const full = Math.round(f * width);
    let line = `${label} [${'#'.repeat(full)}${'-'.repeat(width - full)}] ${String(Math.floor(f * 100)).padStart(3)}%${detail ? `  ${detail}` : ''}`;
    const columns = this.stream.columns ?? 80;
    if (line.length > columns - 1) line = line.slice(0, columns - 1);
    this.stream.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }

  /** Erases the bar (call before printing other lines, and at the end). */
  clear(): void {
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
    this.lastDraw = 0;
  }
}
