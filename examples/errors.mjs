// Example: show any DSDN error to a person, in Indonesian or English, without internals.
//   node examples/errors.mjs [id|en]
import { connect, formatUserFacing, resolveLang, toUserFacing } from "dsdn/sdk";

const lang = resolveLang(process.argv[2]);
const dsdn = await connect({}); // no coordinator configured on purpose
try {
  await dsdn.status("bafy-not-a-real-cid");
} catch (e) {
  const u = toUserFacing(e, lang);
  console.log(formatUserFacing(u, lang).join("\n"));
  console.log(JSON.stringify({ code: u.code }));
}
