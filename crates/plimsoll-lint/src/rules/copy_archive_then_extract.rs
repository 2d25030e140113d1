use plimsoll_dockerfile::{Args, Keyword};

use super::is_archive;
use crate::util::{basename, flag_names, strip_wrappers};
use crate::{Hit, LintContext, Rule, declare_rule, hit};

/// Programs that unpack a compressed file given as an operand.
const UNPACKERS: &[&str] = &[
    "unzip",
    "gunzip",
    "bunzip2",
    "unlzma",
    "unxz",
    "zgz",
    "uncompress",
    "zcat",
    "gzcat",
];

declare_rule! {
    /// An archive COPYed into the image and extracted by a later RUN.
    ///
    /// The COPY layer keeps the archive and the RUN layer adds its
    /// contents: the image ships both, and deleting the archive afterwards
    /// does not shrink it (P-B3). `ADD` extracts a local tar archive
    /// (`.tar`, `.tar.gz`, `.tgz`, `.tar.xz`…) in one layer. Found when a
    /// later RUN of the same stage runs `tar -x`/`--extract` (also the
    /// old-style `tar xf`) or an unpacker (`gunzip`, `unxz`, `unzip`…) on a
    /// file of the same name; the finding is on the COPY. Every stage is
    /// checked (hadolint reports only the last one).
    ///
    /// Fix: `ADD app.tar.gz /opt/app/`, or extract in a build stage and
    /// `COPY --from` the result.
    pub struct CopyArchiveThenExtract {
        code: "DF063",
        name: "copy-archive-then-extract",
        practice: "P-B3",
        hadolint: Some("DL3010"),
        severity: Low,
    }
}

/// Whether `argv` (wrappers removed) extracts or unpacks one of its operands:
/// the operands' file names.
fn extracted(argv: &[String]) -> Vec<&str> {
    let Some(first) = argv.first() else {
        return Vec::new();
    };
    let prog = first.rsplit('/').next().unwrap_or(first);
    let args = &argv[1..];
    let extracts = match prog {
        "tar" => {
            let flags = flag_names(args);
            flags.iter().any(|f| matches!(*f, "x" | "extract" | "get"))
                || args
                    .first()
                    .is_some_and(|a| !a.starts_with('-') && a.contains('x') && !a.contains('.'))
        }
        p => UNPACKERS.contains(&p),
    };
    if !extracts {
        return Vec::new();
    }
    args.iter()
        .filter(|a| !a.starts_with('-'))
        .map(|a| basename(a))
        .collect()
}

impl Rule for CopyArchiveThenExtract {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for st in &ctx.df.stages {
            // (COPY index, line, archive file name as copied, reported)
            let mut copied: Vec<(usize, u32, String, bool)> = Vec::new();
            for i in st.instructions.clone() {
                let ins = &ctx.df.instructions[i];
                match ins.keyword {
                    Keyword::Copy if ins.flag("from").is_none() => {
                        if matches!(ins.args, Args::Heredocs { .. }) {
                            continue;
                        }
                        let words = ins.words();
                        let Some((dest, sources)) = words.split_last() else {
                            continue;
                        };
                        if is_archive(basename(dest)) {
                            copied.push((i, ins.span.line, basename(dest).to_string(), false));
                        } else {
                            for s in sources.iter().filter(|s| is_archive(basename(s))) {
                                copied.push((i, ins.span.line, basename(s).to_string(), false));
                            }
                        }
                    }
                    Keyword::Run => {
                        let Some(sh) = ctx.shells[i].as_ref() else {
                            continue;
                        };
                        for c in &sh.commands {
                            let names = extracted(strip_wrappers(&c.argv));
                            for (_, _, name, reported) in copied.iter_mut() {
                                if !*reported && names.contains(&name.as_str()) {
                                    *reported = true;
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
            for (i, line, name, reported) in copied {
                if reported {
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            line,
                            format!(
                                "archive `{name}` is copied, then extracted by a later RUN: the image keeps both"
                            ),
                        )
                        .help("use `ADD` to extract a local tar archive in one layer"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        // hadolint's cases: extraction by path, by name after WORKDIR, a
        // renamed archive, old-style `tar xzf`; a copy from a stage and a plain
        // file are not flagged.
        let src = "FROM debian:12 AS a\n\
                   COPY packaged-app.tar /usr/src/app\n\
                   RUN tar -xf /usr/src/app/packaged-app.tar\n\
                   FROM debian:12\n\
                   COPY foo/bar/packaged-app.tar /foo.tar\n\
                   COPY build/foo/bar.tar.gz /opt/foo/\n\
                   COPY keep.tar.gz package.json /opt/\n\
                   COPY --from=a /x/some.tar /opt/some.tar\n\
                   COPY data.tar.xz /d/\n\
                   RUN echo && tar -xf /foo.tar && tar xzf /opt/foo/bar.tar.gz && tar -tf /opt/keep.tar.gz\n\
                   RUN tar -xf /opt/some.tar && unxz /d/data.tar.xz\n";
        assert_eq!(
            run("DF063", src),
            "2: archive `packaged-app.tar` is copied, then extracted by a later RUN: the image keeps both\n\
             5: archive `foo.tar` is copied, then extracted by a later RUN: the image keeps both\n\
             6: archive `bar.tar.gz` is copied, then extracted by a later RUN: the image keeps both\n\
             9: archive `data.tar.xz` is copied, then extracted by a later RUN: the image keeps both\n"
        );
        assert_eq!(
            run(
                "DF063",
                "FROM a:1\nCOPY packaged-app.tar /usr/src/app\nFROM b:1\nRUN tar -xf /usr/src/app/packaged-app.tar\n"
            ),
            ""
        );
    }
}
