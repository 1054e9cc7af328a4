/** @module Counters for the chunk server and their Prometheus text exposition (format 0.0.4). */

type Labels = Readonly<Record<string, string>>;

interface Family {
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly values: Map<string, number>;
}

function labelKey(labels: Labels): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

export class Metrics {
  private readonly families = new Map<string, Family>();
  private readonly gauges = new Map<string, { help: string; read: () => number }>();

  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const fam: Family = { help, type: "counter", values: new Map() };
    this.families.set(name, fam);
    return (labels = {}, by = 1) => {
      const k = labelKey(labels);
      fam.values.set(k, (fam.values.get(k) ?? 0) + by);
    };
  }

  /** A gauge read when scraped (e.g. bytes stored), so it can never drift from its source. */
  gauge(name: string, help: string, read: () => number): void {
    this.gauges.set(name, { help, read });
  }

  /** Current value of a counter (all label sets summed unless `labels` is given). */
  value(name: string, labels?: Labels): number {
    const fam = this.families.get(name);
    if (!fam) return 0;
    if (labels) return fam.values.get(labelKey(labels)) ?? 0;
    let sum = 0;
    for (const v of fam.values.values()) sum += v;
    return sum;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, fam] of this.families) {
      lines.push(`# HELP ${name} ${fam.help}`, `# TYPE ${name} ${fam.type}`);
      if (fam.values.size === 0) lines.push(`${name} 0`);
      for (const [k, v] of fam.values) lines.push(`${name}${k} ${v}`);
    }
    for (const [name, g] of this.gauges) {
      lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.read()}`);
    }
    return `${lines.join("\n")}\n`;
  }
}
