/** A WHERE clause built filter by filter: AND-ed conditions and their placeholders' values, in order. */
export class Where {
  private readonly conditions: string[] = [];
  readonly args: unknown[] = [];

  add(sql: string, ...values: unknown[]): void {
    this.conditions.push(sql);
    this.args.push(...values);
  }

  /** `column` contains `text` literally (LIKE wildcards in it are escaped). */
  contains(column: string, text: string): void {
    this.add(`${column} LIKE ? ESCAPE '\\\\'`, `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }

  /** ` WHERE a AND b`, or '' without conditions. */
  get sql(): string {
    return this.conditions.length ? ` WHERE ${this.conditions.join(' AND ')}` : '';
  }
}
