/** @module A POST route with a small JSON body on a server whose other routes stream bodies unparsed (the storage node): its own scope and a bounded JSON parser. */
import type { FastifyInstance, RouteHandlerMethod } from "fastify";

export function postSmallJson(
  app: FastifyInstance,
  path: string,
  maxBodyBytes: number,
  handler: RouteHandlerMethod,
): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser(
      "application/json",
      { parseAs: "string", bodyLimit: maxBodyBytes },
      scope.getDefaultJsonParser("error", "error"),
    );
    scope.post(path, { bodyLimit: maxBodyBytes }, handler);
  });
}
