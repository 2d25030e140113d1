use crate::util::strip_wrappers;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

/// `go` build flags that take a value (the value is not a package).
const VALUE_FLAGS: &[&str] = &[
    "-C",
    "-asmflags",
    "-buildmode",
    "-buildvcs",
    "-compiler",
    "-exec",
    "-gccgoflags",
    "-gcflags",
    "-installsuffix",
    "-ldflags",
    "-mod",
    "-modfile",
    "-o",
    "-overlay",
    "-p",
    "-pgo",
    "-pkgdir",
    "-tags",
    "-toolexec",
];

declare_rule! {
    /// `go install`, `go get` or `go run` of a module without a version.
    ///
    /// `go install example.com/tool` (and `@latest`) builds whatever the
    /// module's newest release is on the day of the build: two builds of
    /// the same Dockerfile get different tools (P-D2: only fixed versions
    /// are reproducible). Local packages (`.`, `./cmd/app`, `/src/app`)
    /// are not flagged. For `go run`, only the package is checked, not the
    /// arguments after it.
    ///
    /// Fix: `go install example.com/tool@v1.2.3`.
    pub struct GoUnpinnedVersion {
        code: "DF076",
        name: "go-unpinned-version",
        practice: "P-D2",
        hadolint: Some("DL3062"),
        severity: Medium,
    }
}

fn pinned(package: &str) -> bool {
    package.starts_with(['.', '/'])
        || (package.contains('@') && !package.ends_with("@latest") && !package.ends_with("@none"))
}

/// The packages a `go install|get|run` command line names.
fn packages(argv: &[String]) -> Vec<&str> {
    let argv = strip_wrappers(argv);
    let Some((first, args)) = argv.split_first() else {
        return Vec::new();
    };
    if first.rsplit('/').next() != Some("go") {
        return Vec::new();
    }
    let mut operands = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if let Some(flag) = a.strip_prefix('-') {
            let name = format!("-{}", flag.trim_start_matches('-'));
            if !a.contains('=') && VALUE_FLAGS.contains(&name.as_str()) {
                it.next();
            }
            continue;
        }
        operands.push(a.as_str());
    }
    match operands.split_first() {
        Some((&"install" | &"get", rest)) => {
            rest.iter().copied().filter(|p| *p != "tool").collect()
        }
        Some((&"run", rest)) => rest.first().copied().into_iter().collect(),
        _ => Vec::new(),
    }
}

impl Rule for GoUnpinnedVersion {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        for (i, _, sh) in ctx.runs() {
            for c in &sh.commands {
                let unpinned: Vec<&str> = packages(&c.argv)
                    .into_iter()
                    .filter(|p| !pinned(p))
                    .collect();
                if unpinned.is_empty() {
                    continue;
                }
                out.push(
                    hit(
                        &Self::RULE,
                        i,
                        c.span.line,
                        format!("go module without a fixed version: {}", unpinned.join(", ")),
                    )
                    .help("pin it: `go install example.com/tool@v1.2.3`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "FROM golang:1.23\n\
                   RUN go install example.com/pkg\n\
                   RUN go install example.com/pkg@latest\n\
                   RUN go install example.com/pkg@v1.2.3 && go install /go/app ./cmd/x .\n\
                   RUN go get example.com/a && go get -tool foobar@v1 && go get -tool foobar\n\
                   RUN go run example.com/pkg@v1.2.3 --foo bar && go run ./app arg\n\
                   RUN go run example.com/pkg -f\n\
                   RUN go install -ldflags \"-s -w\" -tags netgo ./cmd/app && go build ./...\n\
                   ONBUILD RUN go install example.com/tool@none\n";
        assert_eq!(
            run("DF076", src),
            "2: go module without a fixed version: example.com/pkg\n\
             3: go module without a fixed version: example.com/pkg@latest\n\
             5: go module without a fixed version: example.com/a\n\
             5: go module without a fixed version: foobar\n\
             7: go module without a fixed version: example.com/pkg\n\
             9: go module without a fixed version: example.com/tool@none (ONBUILD trigger: runs in child images)\n"
        );
    }
}
