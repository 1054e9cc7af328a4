/**
 * @module Wire schemas of the Cosmos types a tx may contain (cosmos-sdk proto/cosmos/tx/v1beta1/tx.proto and
 * friends), for unknown-field rejection. Only the fields this chain decodes and honours are listed:
 * TxBody.unordered (4), TxBody.timeout_timestamp (5) and AuthInfo.tip (3) are not implemented, so a tx
 * that sets them is refused as having unknown fields rather than having them silently ignored.
 */
import type { MessageSchema } from "./unknownFields.js";

export const cosmosWireSchemas: Readonly<Record<string, MessageSchema>> = {
  "cosmos.tx.v1beta1.TxRaw": { 1: "bytes", 2: "bytes", 3: "bytes" },
  "cosmos.tx.v1beta1.TxBody": {
    1: ".google.protobuf.Any",
    2: "bytes",
    3: "varint",
    1023: ".google.protobuf.Any",
    2047: ".google.protobuf.Any",
  },
  "cosmos.tx.v1beta1.AuthInfo": { 1: ".cosmos.tx.v1beta1.SignerInfo", 2: ".cosmos.tx.v1beta1.Fee" },
  "cosmos.tx.v1beta1.SignerInfo": { 1: ".google.protobuf.Any", 2: ".cosmos.tx.v1beta1.ModeInfo", 3: "varint" },
  "cosmos.tx.v1beta1.ModeInfo": { 1: ".cosmos.tx.v1beta1.ModeInfo.Single", 2: ".cosmos.tx.v1beta1.ModeInfo.Multi" },
  "cosmos.tx.v1beta1.ModeInfo.Single": { 1: "varint" },
  "cosmos.tx.v1beta1.ModeInfo.Multi": {
    1: ".cosmos.crypto.multisig.v1beta1.CompactBitArray",
    2: ".cosmos.tx.v1beta1.ModeInfo",
  },
  "cosmos.crypto.multisig.v1beta1.CompactBitArray": { 1: "varint", 2: "bytes" },
  "cosmos.tx.v1beta1.Fee": { 1: ".cosmos.base.v1beta1.Coin", 2: "varint", 3: "bytes", 4: "bytes" },
  "cosmos.base.v1beta1.Coin": { 1: "bytes", 2: "bytes" },
  "cosmos.crypto.secp256k1.PubKey": { 1: "bytes" },
  // cosmos-sdk proto/cosmos/crypto/multisig/{keys,v1beta1/multisig}.proto: threshold keys and their signatures.
  "cosmos.crypto.multisig.LegacyAminoPubKey": { 1: "varint", 2: ".google.protobuf.Any" },
  "cosmos.crypto.multisig.v1beta1.MultiSignature": { 1: "bytes" },
  "cosmos.bank.v1beta1.MsgSend": { 1: "bytes", 2: "bytes", 3: ".cosmos.base.v1beta1.Coin" },
  // cosmos-sdk v0.50 proto/cosmos/distribution/v1beta1/tx.proto
  "cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward": { 1: "bytes", 2: "bytes" },
  // cosmos-sdk v0.50 proto/cosmos/gov/v1/tx.proto (MsgSubmitProposal.expedited = 7 is v0.50's)
  "cosmos.gov.v1.MsgSubmitProposal": {
    1: ".google.protobuf.Any",
    2: ".cosmos.base.v1beta1.Coin",
    3: "bytes",
    4: "bytes",
    5: "bytes",
    6: "bytes",
    7: "varint",
  },
  "cosmos.gov.v1.MsgVote": { 1: "varint", 2: "bytes", 3: "varint", 4: "bytes" },
  "cosmos.gov.v1.MsgDeposit": { 1: "varint", 2: "bytes", 3: ".cosmos.base.v1beta1.Coin" },
  // cosmos-sdk v0.50 proto/cosmos/gov/v1beta1/{tx,gov}.proto and proto/cosmos/params/v1beta1/params.proto
  "cosmos.gov.v1beta1.MsgSubmitProposal": { 1: ".google.protobuf.Any", 2: ".cosmos.base.v1beta1.Coin", 3: "bytes" },
  "cosmos.gov.v1beta1.MsgVote": { 1: "varint", 2: "bytes", 3: "varint" },
  "cosmos.gov.v1beta1.MsgDeposit": { 1: "varint", 2: "bytes", 3: ".cosmos.base.v1beta1.Coin" },
  "cosmos.gov.v1beta1.TextProposal": { 1: "bytes", 2: "bytes" },
  "cosmos.params.v1beta1.ParameterChangeProposal": { 1: "bytes", 2: "bytes", 3: ".cosmos.params.v1beta1.ParamChange" },
  "cosmos.params.v1beta1.ParamChange": { 1: "bytes", 2: "bytes", 3: "bytes" },
};
