/** Reports progress: a bar redrawn in place on a terminal, a plain line every 10% otherwise. */
export class Progress {
  private lastPlain = -1;
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
    const fraction = this.total === 0 ? 1 : done / this.total;
    if (this.tty) {
      const width = 30;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r${this.label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${this.total}`);
      if (done >= this.total) this.stream.write("\n");
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile !== this.lastPlain) {
      this.lastPlain = decile;
      this.stream.write(`${this.label}: ${done}/${this.total}\n`);
    }
  }
}
