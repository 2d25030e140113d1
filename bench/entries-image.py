#!/usr/bin/env python3
"""bench/entries-image.py DIR N: an OCI layout (tag latest) whose one uncompressed layer holds N
empty regular files, 1000 per directory (d000000/f0000000 ...), for bench/image.sh's
peak-RSS-per-entry case. Standard library only."""
import hashlib
import json
import os
import sys
import tarfile


def main() -> None:
    out, n = sys.argv[1], int(sys.argv[2])
    blobs = os.path.join(out, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    tmp = os.path.join(out, "layer.tmp")
    with open(tmp, "wb") as fh, tarfile.open(fileobj=fh, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for i in range(n):
            if i % 1000 == 0:
                d = tarfile.TarInfo(f"d{i // 1000:06d}")
                d.type, d.mode = tarfile.DIRTYPE, 0o755
                t.addfile(d)
            f = tarfile.TarInfo(f"d{i // 1000:06d}/f{i:07d}")
            f.mode = 0o644
            t.addfile(f)
    h = hashlib.sha256()
    with open(tmp, "rb") as fh:
        for b in iter(lambda: fh.read(1 << 20), b""):
            h.update(b)
    layer, size = h.hexdigest(), os.path.getsize(tmp)
    os.replace(tmp, os.path.join(blobs, layer))

    def put(obj: dict) -> tuple[str, int]:
        b = json.dumps(obj).encode()
        d = hashlib.sha256(b).hexdigest()
        with open(os.path.join(blobs, d), "wb") as fh:
            fh.write(b)
        return d, len(b)

    config = {"architecture": "amd64", "os": "linux", "config": {},
              "rootfs": {"type": "layers", "diff_ids": [f"sha256:{layer}"]}}
    cd, cs = put(config)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": f"sha256:{cd}", "size": cs},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                            "digest": f"sha256:{layer}", "size": size}]}
    md, ms = put(manifest)
    index = {"schemaVersion": 2,
             "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                            "digest": f"sha256:{md}", "size": ms,
                            "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}
    with open(os.path.join(out, "index.json"), "w") as fh:
        json.dump(index, fh)
    with open(os.path.join(out, "oci-layout"), "w") as fh:
        fh.write('{"imageLayoutVersion":"1.0.0"}')


if __name__ == "__main__":
    main()
