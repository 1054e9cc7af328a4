/** @module An in-process committee (n participants, temp key stores, LocalTransport) for tests and tools. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Ed25519KeyPair, ed25519KeyPair } from "../../../common/ed25519.js";
import { SignedTypes, signMessage } from "../../../common/frost/auth.js";
import type { FrostGroupInfo } from "../../../common/frost/group.js";
import { decodeMessage, encodeMessage } from "../../../common/protobuf.js";
import { PreprocessRequest, type SignCommitment } from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { FrostCoordinator } from "./coordinator.js";
import { type KeyShareSecret, KeyShareStore } from "./keyStore.js";
import { LocalTransport } from "./localTransport.js";
import { FrostParticipant, type FrostParticipantOptions } from "./participant.js";
import type { FrostRpc } from "./rpc.js";

export interface LocalCommittee {
  readonly identities: readonly Ed25519KeyPair[];
  readonly participants: readonly FrostParticipant[];
  readonly transport: LocalTransport;
  readonly dir: string;
  /** A coordinator driven by member `index` (1-based). */
  coordinator(index: number, timeoutMs?: number): FrostCoordinator;
  /** Removes the key-store directory. */
  dispose(): void;
}

/** n members with fresh identity keys; shares are stored under a temp dir with a random key-file secret. */
export function createLocalCommittee(
  n: number,
  extra: Partial<Omit<FrostParticipantOptions, "identity" | "store">> = {},
  secret: KeyShareSecret = { kind: "keyfile", key: new Uint8Array(randomBytes(32)) },
): LocalCommittee {
  const dir = mkdtempSync(join(tmpdir(), "dsdn-frost-"));
  const identities = Array.from({ length: n }, () => ed25519KeyPair());
  const participants = identities.map(
    (identity, i) =>
      new FrostParticipant({ ...extra, identity, store: new KeyShareStore(join(dir, `p${i + 1}`), secret) }),
  );
  const transport = new LocalTransport(participants);
  return {
    identities,
    participants,
    transport,
    dir,
    coordinator: (index, timeoutMs = 20_000) =>
      new FrostCoordinator({ identity: identities[index - 1]!, transport, timeoutMs }),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Records the RPC name of every call the committee's transport carries from now on (the returned array grows). */
export function logCalls(c: LocalCommittee): FrostRpc[] {
  const calls: FrostRpc[] = [];
  const inner = c.transport.call.bind(c.transport);
  c.transport.call = (peer, rpc, body, timeout) => {
    calls.push(rpc);
    return inner(peer, rpc, body, timeout);
  };
  return calls;
}

/** `count` preprocessed commitments straight from member `idx`, asked by member `from` (as an orchestrator pools them). */
export async function preprocessedFrom(
  c: LocalCommittee,
  group: FrostGroupInfo,
  idx: number,
  count: number,
  from = 1,
): Promise<SignCommitment[]> {
  const req = signMessage(
    SignedTypes.PreprocessRequest,
    {
      sessionId: randomBytes(32),
      epoch: group.epoch,
      groupPublicKey: group.groupPublicKey,
      count,
      expiresAtMs: BigInt(Date.now() + 60_000),
    },
    c.identities[from - 1]!,
  );
  const res = await c.participants[idx - 1]!.handlePreprocess(
    decodeMessage(PreprocessRequest, encodeMessage(PreprocessRequest, req)),
  );
  return res.commitments;
}
