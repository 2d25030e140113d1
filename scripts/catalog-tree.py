#!/usr/bin/env python3
"""Assembles a directory tree holding a real file of every package type the
gem, lock-file, conda, pacman (Arch), kernel, Bitnami, Haskell and R catalogers read, for a `dir:` comparison with syft,
gem, lock-file, conda, pacman (Arch), kernel, Bitnami, portage (Gentoo), Nix, LuaRocks, SWI-Prolog pack, WordPress plugin and Conan catalogers read, for a `dir:` comparison with syft,
and with --oci LAYOUT the same tree as the single layer of an OCI image
(tag `t`), for an image comparison:

    scripts/catalog-tree.py DEST [--oci LAYOUT]
    scripts/compare-syft.py dir:DEST --plimsoll BIN --known tests/syft-catalogers-differences.tsv
    scripts/compare-syft.py oci:LAYOUT:t --plimsoll BIN --known tests/syft-catalogers-image-differences.tsv

An image scan reports installed packages only (gem specifications under a
`specifications` directory, Composer's installed.json, .NET's deps.json and
assemblies (the version resource of `*.dll`),
conda records), a directory scan the lock files, GitHub Actions workflows and
every gemspec too. Arch's os-release makes the tree an Arch system (syft
writes alpm purls for ID=arch only).

The files are the fixtures of crates/plimsoll-sbom/tests/data (see the
PROVENANCE.md files there), this repository's own Cargo.lock and
scripts/test-requirements.txt, each at a path its cataloger looks at.
DEST is emptied first.
"""

import hashlib
import io
import json
import os
import shutil
import sys
import tarfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
DATA = os.path.join(ROOT, "crates", "plimsoll-sbom", "tests", "data")

# -- conan (issue 18) --
CONAN_PKG = "mfast/1.2.2/my_user/my_channel/package/9d1f076b471417647c2022a78d5e2c1f834289ac"

# (source, relative to DATA unless it starts with "/" (relative to ROOT), destination)
FILES = [
    ("ruby/rack-2.2.22.gemspec", "usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec"),
    ("ruby/openssl-3.0.1.gemspec", "usr/lib/ruby/gems/3.1.0/specifications/default/openssl-3.0.1.gemspec"),
    ("ruby/digest-3.1.0.gemspec", "usr/lib/ruby/gems/3.1.0/specifications/default/digest-3.1.0.gemspec"),
    ("ruby/bundler.gemspec", "usr/local/bundle/specifications/bundler-2.1.4.gemspec"),
    ("ruby/formatador.gemspec", "src/formatador/formatador.gemspec"),
    ("/Cargo.lock", "src/rust/Cargo.lock"),
    ("lock/go/many-packages/go.mod", "src/go-many/go.mod"),
    ("lock/go/relative-replace/go.mod", "src/go-replace/go.mod"),
    ("lock/npm/v3/package-lock.json", "src/web-v3/package-lock.json"),
    ("lock/npm/v1/package-lock.json", "src/web-v1/package-lock.json"),
    ("lock/npm/alias-v1/package-lock.json", "src/web-alias-v1/package-lock.json"),
    ("lock/npm/alias-v2/package-lock.json", "src/web-alias-v2/package-lock.json"),
    ("lock/yarn/classic/yarn.lock", "src/yarn-classic/yarn.lock"),
    ("lock/yarn/berry/yarn.lock", "src/yarn-berry/yarn.lock"),
    ("lock/yarn/generated-classic/yarn.lock", "src/yarn-gen-classic/yarn.lock"),
    ("lock/yarn/generated-berry/yarn.lock", "src/yarn-gen-berry/yarn.lock"),
    ("lock/python/requirements.txt", "src/py/requirements.txt"),
    ("/scripts/test-requirements.txt", "src/py/test-requirements.txt"),
    ("lock/python/poetry.lock", "src/poetry/poetry.lock"),
    ("lock/python/Pipfile.lock", "src/pipenv/Pipfile.lock"),
    ("lock/python/setup.py", "src/gauth/setup.py"),
    ("lock/ruby/Gemfile.lock", "src/rails/Gemfile.lock"),
    ("lock/php/composer.lock", "src/php/composer.lock"),
    ("lock/php/composer_1/installed.json", "src/php1/vendor/composer/installed.json"),
    ("lock/php/composer_2/installed.json", "src/php2/vendor/composer/installed.json"),
    ("lock/pnpm/generated-v9/pnpm-lock.yaml", "src/pnpm-gen/pnpm-lock.yaml"),
    ("lock/pnpm/generated-alias/pnpm-lock.yaml", "src/pnpm-alias/pnpm-lock.yaml"),
    ("lock/pnpm/v5/pnpm-lock.yaml", "src/pnpm-v5/pnpm-lock.yaml"),
    ("lock/pnpm/v6/pnpm-lock.yaml", "src/pnpm-v6/pnpm-lock.yaml"),
    ("lock/pnpm/v9/pnpm-lock.yaml", "src/pnpm-v9/pnpm-lock.yaml"),
    ("lock/uv/generated/uv.lock", "src/uv-gen/uv.lock"),
    ("lock/uv/uv.lock", "src/uv/uv.lock"),
    ("lock/uv/script/fetch.py.lock", "src/script/fetch.py.lock"),
    ("lock/npm/v2/package-lock.json", "src/web-v2/package-lock.json"),
    ("dotnet-pe/Mono.Cecil.Rocks.dll", "usr/lib/mono-cecil/Mono.Cecil.Rocks.dll"),
    ("dotnet-pe/policy.5.0.Newtonsoft.Json.dll",
     "usr/share/cli-common/policies.d/libnewtonsoft-json5.0-cil/policy.5.0.Newtonsoft.Json.dll"),
    ("lock/java/pom-app/pom.xml", "src/maven-app/pom.xml"),
    ("lock/java/pom-commons-text/pom.xml", "src/commons-text/pom.xml"),
    ("lock/java/latin1-declared/pom.xml", "src/latin1/pom.xml"),
    ("lock/java/local/child-1/pom.xml", "src/multi/child-1/pom.xml"),
    ("lock/java/local/child-2/pom.xml", "src/multi/child-2/pom.xml"),
    ("lock/java/local/child-3/pom.xml", "src/multi/child-3/pom.xml"),
    ("lock/java/local/circular-1/pom.xml", "src/multi/circular-1/pom.xml"),
    ("lock/java/local/circular-2/pom.xml", "src/multi/circular-2/pom.xml"),
    ("lock/java/local/contains-child-1/pom.xml", "src/multi/contains-child-1/pom.xml"),
    ("lock/java/local/parent-1/pom.xml", "src/multi/parent-1/pom.xml"),
    ("lock/java/local/parent-2/pom.xml", "src/multi/parent-2/pom.xml"),
    ("lock/java/local/parent-3/pom.xml", "src/multi/parent-3/pom.xml"),
    ("lock/java/gradle/gradle.lockfile", "src/gradle-app/gradle.lockfile"),
    ("lock/dotnet/TestLibrary.deps.json", "app/dotnet/TestLibrary.deps.json"),
    ("lock/dotnet/packages.lock.json", "src/dotnet/packages.lock.json"),
    ("lock/github/.github/workflows/validations.yaml", "src/repo/.github/workflows/validations.yaml"),
    ("lock/github/.github/workflows/call-shared.yml", "src/repo/.github/workflows/call-shared.yml"),
    ("lock/github/.github/workflows/version-comments.yaml", "src/repo/.github/workflows/version-comments.yaml"),
    ("lock/github/.github/actions/bootstrap/action.yaml", "src/repo/.github/actions/bootstrap/action.yaml"),
    ("conda/conda-meta/zlib-1.2.11-h90dfc92_1014.json", "opt/conda/conda-meta/zlib-1.2.11-h90dfc92_1014.json"),
    ("conda/conda-meta/jupyterlab-4.4.3-pyhd8ed1ab_0.json", "opt/conda/conda-meta/jupyterlab-4.4.3-pyhd8ed1ab_0.json"),
    # Arch: os-release (syft writes alpm purls for ID=arch only) and pacman's database.
    ("arch/os-release", "usr/lib/os-release"),
    # Debian's kernel 6.1.0-50-cloud-amd64: the image's setup header and two modules.
    ("kernel/vmlinuz-6.1.0-50-cloud-amd64.head", "boot/vmlinuz-6.1.0-50-cloud-amd64"),
    ("kernel/lib/modules/6.1.0-50-cloud-amd64/kernel/net/8021q/8021q.ko",
     "lib/modules/6.1.0-50-cloud-amd64/kernel/net/8021q/8021q.ko"),
    ("kernel/lib/modules/6.1.0-50-cloud-amd64/kernel/net/netfilter/xt_pkttype.ko",
     "lib/modules/6.1.0-50-cloud-amd64/kernel/net/netfilter/xt_pkttype.ko"),
    # Bitnami's SPDX documents (JSON; a tag-value one, which only warns).
    ("bitnami/json/opt/bitnami/postgresql/.spdx-postgresql.spdx", "opt/bitnami/postgresql/.spdx-postgresql.spdx"),
    ("bitnami/mix/opt/bitnami/render-template/.spdx-render-template.spdx",
     "opt/bitnami/render-template/.spdx-render-template.spdx"),
    ("bitnami/no-rel/opt/bitnami/redis/.spdx-redis.spdx", "opt/bitnami/redis/.spdx-redis.spdx"),
    ("bitnami/tag-value/opt/bitnami/redis/.spdx-apache.spdx", "opt/bitnami/apache/.spdx-apache.spdx"),
    # An older Bitnami image's component list.
    ("bitnami/components-json-mongodb/opt/bitnami/.bitnami_components.json", "opt/bitnami/.bitnami_components.json"),
    # -- hackcran (issue 18) --
    # Haskell: Stack's and cabal's files (directory scans).
    ("lock/haskell/stack.yaml", "src/haskell-stack/stack.yaml"),
    ("lock/haskell/stack.yaml.lock", "src/haskell-stack/stack.yaml.lock"),
    ("lock/haskell/cabal.project.freeze", "src/haskell-cabal/cabal.project.freeze"),
    # R: installed packages' DESCRIPTION files, in R's library directories.
    ("r/installed/base/DESCRIPTION", "usr/local/lib/R/library/base/DESCRIPTION"),
    ("r/installed/stringr/DESCRIPTION", "usr/local/lib/R/site-library/stringr/DESCRIPTION"),
    ("r/debian-stats/DESCRIPTION", "usr/lib/R/library/stats/DESCRIPTION"),
    ("r/map-parse/no-version", "usr/lib/R/site-library/broken/DESCRIPTION"),
    # -- hexpub (issue 18) --
    ("lock/hex/mix.lock", "src/elixir/mix.lock"),
    ("lock/hex/rebar.lock", "src/erlang/rebar.lock"),
    ("lock/hex/rebar-2/rebar.lock", "src/erlang-git/rebar.lock"),
    ("lock/dart/pubspec.lock", "src/flutter/pubspec.lock"),
    ("lock/otp/rabbitmq.app", "src/rabbitmq/ebin/rabbit.app"),
    ("lock/swift/v2/Package.resolved", "src/swift-v2/Package.resolved"),
    ("lock/swift/v3/Package.resolved", "src/swift-v3/Package.resolved"),
    ("lock/swift/Podfile.lock", "src/ios/Podfile.lock"),
] + [
    (f"arch/local/{pkg}/{f}", f"var/lib/pacman/local/{pkg}/{f}")
    for pkg, files in [
        ("gmp-6.2.1-2", ("desc", "files")),
        ("emacs-29.3-3", ("desc",)),
        ("tree-sitter-0.22.6-1", ("desc",)),
        ("fuzzy-1.2-3", ("desc", "files")),
        ("madeup-20.30-4", ("desc",)),
        ("corrupt-0.2.1-3", ("desc",)),
    ]
    for f in files
] + [
    # -- portnix (issue 18) --
    # Gentoo: portage's database entry of skopeo 1.5.1 (syft's fixture).
    (f"portage/var/db/pkg/app-containers/skopeo-1.5.1/{f}", f"var/db/pkg/app-containers/skopeo-1.5.1/{f}")
    for f in ("CONTENTS", "LICENSE", "SIZE")
] + [
    # A Nix store path (syft's fixture): glibc 2.34-210, output bin.
    (f"nix/nix/store/h0cnbmfcn93xm5dg2x27ixhag1cwndga-glibc-2.34-210-bin/{f}",
     f"nix/store/h0cnbmfcn93xm5dg2x27ixhag1cwndga-glibc-2.34-210-bin/{f}")
    for f in ("lib/glibc.so", "share/man/glibc.1")
] + [
    # LuaRocks rockspecs where luarocks installs them (syft's fixtures; syft's corrupt one too).
    (f"lua/rockspec/{r}.rockspec", f"usr/local/lib/luarocks/rocks-5.1/{r}/{r}.rockspec")
    for r in ("kong-3.7.0-0", "kong-pgmoon-1.16.2-1", "lpeg-1.0.2-1", "luasyslog-2.0.1-1")
] + [
    ("lua/corrupt/bad-1.23.0-0.rockspec", "usr/local/lib/luarocks/rocks-5.1/bad/bad-1.23.0-0.rockspec"),
    # A SWI-Prolog pack's description (syft's fixture; directory scans only).
    ("swipl/pack.pl", "src/prolog/hdt/pack.pl"),
    # WordPress plugins' main files (syft's fixtures).
    ("wordpress/wp-content/plugins/akismet/akismet.php", "var/www/html/wp-content/plugins/akismet/akismet.php"),
    ("wordpress/wp-content/plugins/all-in-one-wp-migration/all-in-one-wp-migration.php",
     "var/www/html/wp-content/plugins/all-in-one-wp-migration/all-in-one-wp-migration.php"),
] + [
    # -- conan (issue 18) --
    # Conan (syft's fixtures): a conanfile.txt, Conan 1 and Conan 2 locks (directory
    # scans), and an installed package's conaninfo.txt in a Conan 1 cache.
    ("lock/conan/conanfile.txt", "src/cpp/conanfile.txt"),
    ("lock/conan/conan.lock", "src/cpp/conan.lock"),
    ("lock/conan/v2/conan.lock", "src/cpp2/conan.lock"),
    (f"lock/conan/conaninfo/{CONAN_PKG}/conaninfo.txt", f"root/.conan/data/{CONAN_PKG}/conaninfo.txt"),
    # -- opam (issue 18) --
    # OCaml opam files (syft's fixtures): a dune project's, a repository's
    # `<name>.<version>/opam`, the same where opam records an installed
    # package (counts in image scans too), and syft's `bogus` files named
    # like opam files.
    ("opam/alcotest.opam", "src/alcotest/alcotest.opam"),
    ("opam/ocaml-base-compiler.4.14.0/opam",
     "src/opam-repository/packages/ocaml-base-compiler/ocaml-base-compiler.4.14.0/opam"),
    ("opam/ocaml-base-compiler.4.14.0/opam",
     "root/.opam/default/.opam-switch/packages/ocaml-base-compiler.4.14.0/opam"),
    ("opam/glob-paths/opam/alcotest.opam", "src/bogus/alcotest.opam"),
    ("opam/glob-paths/opam/ocaml-base-compiler.4.14.0/opam", "src/bogus/ocaml-base-compiler.4.14.0/opam"),
] + [
    # Real opam-repository files (CC0), and ocaml 4.14.2 installed in the switch too.
    (f"opam/opam-repository/packages/{p}/opam", f"src/opam-repository/packages/{p}/opam")
    # (alt-ergo 2.0.0 declares `LicenseRef-OCamlPro-Non-Commercial` and `Apache-1.0+`: the
    # SPDX document defines the former, scripts/validate-sbom.py takes `+` after any id.)
    for p in ("ocaml/ocaml.4.14.2", "tls/tls.1.0.4", "alt-ergo/alt-ergo.2.0.0", "range/range.0.3",
              "opam-devel/opam-devel.2.5.0~rc1")
] + [
    ("opam/opam-repository/packages/ocaml/ocaml.4.14.2/opam",
     "root/.opam/default/.opam-switch/packages/ocaml.4.14.2/opam"),
]


def write_oci(tree, layout):
    """`tree` as the one uncompressed layer of an OCI image layout, tag `t`."""
    if os.path.exists(layout):
        shutil.rmtree(layout)
    os.makedirs(os.path.join(layout, "blobs", "sha256"))

    def blob(data):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + digest, "size": len(data)}

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for d, _, files in sorted(os.walk(tree)):
            for f in sorted(files):
                path = os.path.join(d, f)
                tar.add(path, arcname=os.path.relpath(path, tree))
    layer = blob(buf.getvalue())
    config = blob(json.dumps({
        "architecture": "amd64", "os": "linux", "config": {},
        "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]},
    }).encode())
    manifest = blob(json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **layer}],
    }).encode())
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", **manifest,
        "annotations": {"org.opencontainers.image.ref.name": "t"},
    }]}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)


def main():
    args = sys.argv[1:]
    oci = None
    if len(args) == 3 and args[1] == "--oci":
        oci = args[2]
        args = args[:1]
    if len(args) != 1:
        sys.exit(__doc__)
    dest = args[0]
    if os.path.exists(dest):
        shutil.rmtree(dest)
    for src, dst in FILES:
        src = os.path.join(ROOT, src[1:]) if src.startswith("/") else os.path.join(DATA, src)
        out = os.path.join(dest, dst)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        shutil.copyfile(src, out)
    print(f"{len(FILES)} files under {dest}")
    if oci:
        write_oci(dest, oci)
        print(f"the same as oci:{oci}:t")


if __name__ == "__main__":
    main()
