/** @module startAbciServer: the ABCI 2.0 socket server CometBFT v0.38 connects to (tcp:// or unix://). */

import { existsSync, statSync, unlinkSync } from "node:fs";
import { connect, createServer, type Server } from "node:net";
import { InvalidArgumentError } from "../../common/errors.js";
import type { AbciApplication } from "./application.js";
import { AbciConnection } from "./connection.js";
import { type AbciLogger, createStderrLogger } from "./logger.js";
import { SerialQueue } from "./serialQueue.js";

export interface AbciServerOptions {
  /** `tcp://127.0.0.1:26658` (port 0 picks a free one) or `unix:///path/to.sock`. */
  readonly listen: string;
  readonly logger?: AbciLogger;
  /** Largest accepted request frame; default CometBFT's own 100 MiB limit. */
  readonly maxFrameBytes?: number;
}

export interface AbciServer {
  /** The address actually listened on, in CometBFT `proxy_app` form (with the real port). */
  readonly address: string;
  /** Stops accepting, drops every connection and resolves once no application call is running. */
  close(): Promise<void>;
}

type ListenTarget =
  | { readonly kind: "tcp"; readonly host: string; readonly port: number }
  | { readonly kind: "unix"; readonly path: string };

/** Parses a CometBFT-style `proxy_app` address. */
export function parseListenAddress(listen: string): ListenTarget {
  if (listen.startsWith("unix://")) {
    const path = listen.slice("unix://".length);
    if (path === "") throw new InvalidArgumentError(`ABCI listen address "${listen}" has no socket path`);
    return { kind: "unix", path };
  }
  const match = /^tcp:\/\/(\[[0-9a-fA-F:.]+\]|[^:/[\]]+):(\d{1,5})$/.exec(listen);
  if (!match) {
    throw new InvalidArgumentError(
      `ABCI listen address "${listen}" must be tcp://HOST:PORT or unix:///PATH (e.g. tcp://127.0.0.1:26658)`,
    );
  }
  const port = Number(match[2]);
  if (port > 65_535) throw new InvalidArgumentError(`ABCI listen port ${port} is out of range`);
  const host = match[1]!.replace(/^\[(.*)\]$/, "$1");
  return { kind: "tcp", host, port };
}

/** A socket file left by a crashed server blocks listen(); remove it only if nobody answers on it. */
async function removeStaleUnixSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  if (!statSync(path).isSocket()) {
    throw new InvalidArgumentError(`ABCI listen path ${path} exists and is not a socket`);
  }
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
  if (alive) throw new InvalidArgumentError(`ABCI socket ${path} is already served by another process`);
  unlinkSync(path);
}

function listen(server: Server, target: ListenTarget): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      resolve();
    };
    if (target.kind === "unix") server.listen(target.path, done);
    else server.listen(target.port, target.host, done);
  });
}

export async function startAbciServer(app: AbciApplication, options: AbciServerOptions): Promise<AbciServer> {
  const target = parseListenAddress(options.listen);
  const logger = options.logger ?? createStderrLogger();
  const queue = new SerialQueue();
  const connections = new Set<AbciConnection>();
  let nextId = 1;

  const server = createServer((socket) => {
    const conn = new AbciConnection(socket, {
      id: nextId++,
      app,
      queue,
      logger,
      ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
    });
    connections.add(conn);
    logger.info("ABCI connection opened", { conn: conn.id, open: connections.size });
    void conn.closed.then(() => connections.delete(conn));
  });
  server.on("error", (error) => logger.error("ABCI server error", { error: error.message }));

  if (target.kind === "unix") await removeStaleUnixSocket(target.path);
  await listen(server, target);

  let address: string;
  if (target.kind === "unix") {
    address = `unix://${target.path}`;
  } else {
    const bound = server.address();
    const port = typeof bound === "object" && bound !== null ? bound.port : target.port;
    address = `tcp://${target.host.includes(":") ? `[${target.host}]` : target.host}:${port}`;
  }
  logger.info("ABCI server listening", { address });

  let closing: Promise<void> | undefined;
  return {
    address,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const conn of connections) conn.destroy();
        await Promise.all([stopped, queue.idle(), ...[...connections].map((c) => c.closed)]);
        logger.info("ABCI server closed", { address });
      })();
      return closing;
    },
  };
}
