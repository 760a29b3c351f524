/** Reports progress: a bar redrawn in place on a terminal, one plain line when done otherwise (logs, CI, pipes). */
export class Progress {
  private reported = false;
  private readonly tty: boolean;

  /** Creates a reporter for `total` steps labelled `label`, writing to `stream` (default stderr). */
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stream.isTTY) && process.env.CI !== "true";
  }

  /** Reports that `done` of the steps are finished. */
  update(done: number): void {
    if (this.tty) {
      const fraction = this.total === 0 ? 1 : done / this.total;
      const width = 30;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r${this.label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${this.total}`);
      if (done >= this.total) this.stream.write("\n");
      return;
    }
    if (done >= this.total && !this.reported) {
      this.reported = true;
      this.stream.write(`${this.label}: ${this.total} queries evaluated\n`);
    }
  }
}
