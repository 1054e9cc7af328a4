/** @module One typed ABCI query through CometBFT: encode the request, check the code, decode the answer. */
import type { CometRpc } from "./cometRpc.js";
import { abciError } from "./restError.js";

interface Codec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
  fromPartial(object: object): T;
}

export async function abciQuery<Req, Res>(
  rpc: CometRpc,
  path: string,
  reqCodec: Codec<Req>,
  req: object,
  resCodec: Codec<Res>,
): Promise<{ value: Res; height: string }> {
  const r = await rpc.abciQuery(path, reqCodec.encode(reqCodec.fromPartial(req)).finish());
  if (r.code !== 0) throw abciError(r.code, r.codespace, r.log);
  return { value: resCodec.decode(r.value), height: r.height };
}
