/** @module Message router by type URL and query router by `/package.Service/Method` path. */
import type { AppModule, MsgDef, QueryDef } from "../module.js";

export class Router {
  private readonly msgs = new Map<string, { def: MsgDef; module: string }>();
  private readonly queries = new Map<string, QueryDef>();

  constructor(modules: readonly AppModule[]) {
    for (const m of modules) {
      for (const def of m.msgs ?? []) {
        if (this.msgs.has(def.typeUrl)) throw new Error(`message ${def.typeUrl} registered twice`);
        this.msgs.set(def.typeUrl, { def, module: m.name });
      }
      for (const q of m.queries ?? []) {
        if (this.queries.has(q.path)) throw new Error(`query ${q.path} registered twice`);
        this.queries.set(q.path, q);
      }
    }
  }

  msg(typeUrl: string): MsgDef | undefined {
    return this.msgs.get(typeUrl)?.def;
  }

  moduleOf(typeUrl: string): string {
    return this.msgs.get(typeUrl)?.module ?? "unknown";
  }

  query(path: string): QueryDef | undefined {
    return this.queries.get(path);
  }

  messageTypes(): string[] {
    return [...this.msgs.keys()].sort();
  }
}
