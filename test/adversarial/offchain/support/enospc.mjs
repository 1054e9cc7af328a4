// Fault injection for adversarial tests, loaded with `node --import`: while the file named by
// DSDN_FAULT_ENOSPC_FLAG exists, every FileHandle write/writev fails with ENOSPC, as a full disk does.
import { existsSync } from "node:fs";
import { open } from "node:fs/promises";

const flag = process.env.DSDN_FAULT_ENOSPC_FLAG;
if (flag) {
  const fh = await open(process.execPath, "r");
  const proto = Object.getPrototypeOf(fh);
  await fh.close();
  for (const name of ["write", "writev"]) {
    const original = proto[name];
    proto[name] = function (...args) {
      if (!existsSync(flag)) return original.apply(this, args);
      const e = Object.assign(new Error("ENOSPC: no space left on device, write"), {
        code: "ENOSPC",
        errno: -28,
        syscall: "write",
      });
      // Fails a little later, as a real write does (the caller has moved on to receive more bytes).
      return new Promise((_, reject) => setTimeout(() => reject(e), 20));
    };
  }
}
