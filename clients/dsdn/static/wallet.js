// One-page wallet connect: suggests the dev chain to Keplr from the localnet's chain info, then reads the
// account's balances through the chain's REST (LCD) API. Nothing is signed here.
const $ = (id) => document.getElementById(id);
const info = await (await fetch("/chain-info.json")).json();
$("chain").textContent = `${info.chainName} (${info.chainId}) — RPC ${info.rpc}, REST ${info.rest}`;
$("connect").disabled = false;
$("connect").onclick = async () => {
  if (!window.keplr) {
    $("account").textContent = "Keplr is not installed in this browser.";
    return;
  }
  await window.keplr.experimentalSuggestChain(info);
  await window.keplr.enable(info.chainId);
  const key = await window.keplr.getKey(info.chainId);
  $("account").textContent = `Connected: ${key.bech32Address}`;
  const r = await fetch(`${info.rest}/cosmos/bank/v1beta1/balances/${key.bech32Address}`);
  $("balances").textContent = JSON.stringify(await r.json(), null, 2);
};
