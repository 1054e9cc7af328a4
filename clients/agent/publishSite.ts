/**
 * @module Publishes a static site (`type: static`, `publish: DIR`): every file of the directory uploaded as a DSDN
 * object, then the owner-signed site manifest (path → CID) uploaded as one more; the ingress serves
 * `/site/<manifest CID>/<path>` from it.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { isSitePath, MAX_SITE_FILES, type SiteFile, signSiteManifest } from "../../node-agent/ingress/siteManifest.js";
import { uploadViaCoordinator } from "./networkUpload.js";
import type { UploaderKey } from "./uploaderKey.js";

/** The regular files under `dir` as site paths, sorted; hidden files and the intent file are left out. */
export function siteFiles(dir: string): { path: string; abs: string }[] {
  const out: { path: string; abs: string }[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      if (name.startsWith(".")) continue;
      const abs = join(d, name);
      const st = statSync(abs);
      if (st.isDirectory()) walk(abs);
      else if (st.isFile()) {
        const path = relative(dir, abs).split(sep).join("/");
        if (!isSitePath(path))
          throw new InvalidArgumentError(`"${path}" cannot be a site path (letters, digits and ._~@+=,- only)`);
        out.push({ path, abs });
        if (out.length > MAX_SITE_FILES)
          throw new BaseError(ErrorCode.TooLarge, `a site has at most ${MAX_SITE_FILES} files`);
      }
    }
  };
  walk(dir);
  if (out.length === 0) throw new InvalidArgumentError(`nothing to publish in ${dir}`);
  return out;
}

export async function publishSite(p: {
  dir: string;
  coordinator: string;
  key: UploaderKey;
  onFile?: (path: string, cid: string) => void;
}): Promise<{ siteCid: string; files: SiteFile[] }> {
  const files: SiteFile[] = [];
  for (const f of siteFiles(p.dir)) {
    const r = await uploadViaCoordinator({ path: f.abs, encrypt: false, coordinator: p.coordinator, key: p.key });
    files.push({ path: f.path, cid: r.manifest, size: statSync(f.abs).size });
    p.onFile?.(f.path, r.manifest);
  }
  const manifest = signSiteManifest(files, p.key);
  const tmp = mkdtempSync(join(tmpdir(), "dsdn-site-"));
  try {
    const path = join(tmp, "site.json");
    writeFileSync(path, JSON.stringify(manifest));
    const r = await uploadViaCoordinator({ path, encrypt: false, coordinator: p.coordinator, key: p.key });
    return { siteCid: r.manifest, files };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
