//! One test per grammar feature.

use crate::{Args, Keyword, parse};

fn p(src: &str) -> crate::Dockerfile {
    match parse(src) {
        Ok(df) => df,
        Err(e) => panic!("parse failed: {e}\n{src}"),
    }
}

#[test]
fn directives_only_at_top() {
    let df = p(
        "# syntax=docker/dockerfile:1\n#  ESCAPE = `\n# check=skip=all\nFROM a\n# syntax=ignored\n",
    );
    let names: Vec<_> = df
        .directives
        .iter()
        .map(|d| (d.name.as_str(), d.value.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("syntax", "docker/dockerfile:1"),
            ("escape", "`"),
            ("check", "skip=all")
        ]
    );
    assert_eq!(df.escape, '`');
    assert_eq!(df.directives[1].span.line, 2);
    // The late one is a comment.
    assert_eq!(df.comments.len(), 1);
    assert_eq!(df.comments[0].text, "syntax=ignored");

    // A comment that is not a directive ends the directives.
    let df = p("# hello\n# escape=`\nFROM a\n");
    assert!(df.directives.is_empty());
    assert_eq!(df.escape, '\\');
    // So does a blank line.
    let df = p("\n# escape=`\nFROM a\n");
    assert!(df.directives.is_empty());
}

#[test]
fn duplicate_or_bad_directive_is_an_error() {
    let e = parse("# escape=`\n# escape=\\\nFROM a\n").unwrap_err();
    assert_eq!((e.line, e.column), (2, 1));
    let e = parse("# escape=x\nFROM a\n").unwrap_err();
    assert!(e.message.contains("invalid escape"), "{e}");
}

#[test]
fn continuation_skips_comments_and_blank_lines() {
    let src = "FROM a\nRUN echo a \\\n# a comment\n\n    && echo b \\\n  # indented comment\n    && echo c\nRUN x\n";
    let df = p(src);
    let run = &df.instructions[1];
    assert_eq!(
        run.args,
        Args::Shell("echo a     && echo b     && echo c".into())
    );
    assert_eq!((run.span.line, run.span.end_line), (2, 7));
    assert_eq!(df.instructions[2].span.line, 8);
    assert_eq!(df.comments.len(), 2);
}

#[test]
fn continuation_with_backtick_escape() {
    let src = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN powershell -Command `\n    Write-Host hi ; `\n    exit 0\nCOPY C:\\src C:\\dst\n";
    let df = p(src);
    assert_eq!(
        df.instructions[1].args,
        Args::Shell("powershell -Command     Write-Host hi ;     exit 0".into())
    );
    // The backslash is an ordinary character now.
    assert_eq!(df.instructions[2].words(), ["C:\\src", "C:\\dst"]);
}

#[test]
fn trailing_escape_at_eof_and_crlf() {
    let df = p("FROM a\r\nRUN echo \\\r\n  hi\r\nRUN last \\");
    assert_eq!(df.instructions[1].args, Args::Shell("echo   hi".into()));
    assert_eq!(df.instructions[2].args, Args::Shell("last".into()));
}

#[test]
fn heredocs() {
    let src = "FROM a\nRUN <<EOF\napt-get update\napt-get install -y curl\nEOF\nRUN <<-'ONE' 3<<\"TWO\" cat /dev/fd/3\n\t\techo $HOME\n\tONE\nliteral\nTWO\nCOPY <<EOF /etc/conf\nx=1\nEOF\nRUN echo done\n";
    let df = p(src);
    let Args::Heredocs { line, heredocs } = &df.instructions[1].args else {
        panic!("{:?}", df.instructions[1].args)
    };
    assert_eq!(line, "<<EOF");
    assert_eq!(heredocs[0].name, "EOF");
    assert_eq!(
        heredocs[0].content,
        "apt-get update\napt-get install -y curl\n"
    );
    assert!(!heredocs[0].quoted);
    assert_eq!((heredocs[0].span.line, heredocs[0].span.end_line), (3, 5));
    assert_eq!(df.instructions[1].span.end_line, 5);

    let Args::Heredocs { heredocs, .. } = &df.instructions[2].args else {
        panic!()
    };
    assert_eq!(heredocs.len(), 2);
    assert_eq!(
        (
            heredocs[0].name.as_str(),
            heredocs[0].strip_tabs,
            heredocs[0].quoted
        ),
        ("ONE", true, true)
    );
    assert_eq!(heredocs[0].content, "echo $HOME\n");
    assert_eq!(
        (
            heredocs[1].name.as_str(),
            heredocs[1].fd,
            heredocs[1].content.as_str()
        ),
        ("TWO", Some(3), "literal\n")
    );

    assert_eq!(df.instructions[3].keyword, Keyword::Copy);
    assert!(
        matches!(&df.instructions[3].args, Args::Heredocs { heredocs, .. } if heredocs[0].content == "x=1\n")
    );
    assert_eq!(df.instructions[4].span.line, 14);
}

#[test]
fn heredoc_markers_in_quotes_or_here_strings_are_not_heredocs() {
    let df = p("FROM a\nRUN echo \"a << b\" && cat <<< hi\nCMD x <<EOF\n");
    assert!(matches!(df.instructions[1].args, Args::Shell(_)));
    // Only RUN, COPY and ADD take heredocs.
    assert!(matches!(df.instructions[2].args, Args::Shell(_)));
}

#[test]
fn unterminated_heredoc_is_an_error() {
    let e = parse("FROM a\nRUN <<EOF\necho hi\n").unwrap_err();
    assert_eq!(e.line, 2, "{e}");
    assert!(e.message.contains("unterminated heredoc"), "{e}");
}

#[test]
fn exec_versus_shell_form() {
    let df = p(
        "FROM a\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nENTRYPOINT [not json]\nRUN [\"a\", 1]\nSHELL [\"/bin/bash\", \"-c\"]\n",
    );
    assert_eq!(
        df.instructions[1].args,
        Args::Exec(vec!["nginx".into(), "-g".into(), "daemon off;".into()])
    );
    assert_eq!(df.instructions[2].args, Args::Shell("[not json]".into()));
    // Not an array of strings: shell form, as BuildKit does.
    assert!(matches!(df.instructions[3].args, Args::Shell(_)));
    assert!(matches!(df.instructions[4].args, Args::Exec(_)));
    assert!(parse("FROM a\nSHELL /bin/sh\n").is_err());
}

#[test]
fn stages_arg_before_from_platform_and_names() {
    let df = p(
        "ARG BASE=debian:12\nARG TAG\nFROM --platform=$BUILDPLATFORM ${BASE} AS Build\nRUN make\nfrom build as final\nCOPY --from=build /out /out\n",
    );
    assert_eq!(df.stages.len(), 2);
    assert_eq!(df.instructions[0].stage, None);
    let s = &df.stages[0];
    assert_eq!(
        (s.name.as_deref(), s.image.as_str(), s.platform.as_deref()),
        (Some("build"), "${BASE}", Some("$BUILDPLATFORM"))
    );
    assert_eq!(s.instructions, 2..4);
    assert_eq!(df.stages[1].instructions, 4..6);
    assert_eq!(df.instructions[5].stage, Some(1));
    assert_eq!(df.stage_ref("BUILD", 1).map(|s| s.index), Some(0));
    assert_eq!(df.stage_ref("0", 1).map(|s| s.index), Some(0));
    assert!(df.stage_ref("final", 1).is_none());
    let e = parse("FROM a AS\n").unwrap_err();
    assert!(e.message.contains("one or three"), "{e}");
    let e = parse("RUN x\nFROM a\n").unwrap_err();
    assert_eq!((e.line, e.column), (1, 1));
}

#[test]
fn flags_with_spans() {
    let src = "FROM a\nRUN --mount=type=cache,target=/var/cache/apt --network=none  apt-get update\nCOPY --from=build --chown=1000:1000 --chmod=0755 --link /a /b\nADD --checksum=sha256:abc https://x/y.tgz /y\n";
    let df = p(src);
    let run = &df.instructions[1];
    assert_eq!(run.flags.len(), 2);
    assert_eq!(run.flags[0].name, "mount");
    assert_eq!(
        run.flags[0].value.as_deref(),
        Some("type=cache,target=/var/cache/apt")
    );
    assert_eq!((run.flags[0].span.line, run.flags[0].span.column), (2, 5));
    assert_eq!(
        &src[run.flags[1].span.start..run.flags[1].span.end],
        "--network=none"
    );
    assert_eq!(run.args, Args::Shell("apt-get update".into()));
    assert_eq!(run.args_span.column, 62);
    let copy = &df.instructions[2];
    let names: Vec<_> = copy
        .flags
        .iter()
        .map(|f| (f.name.as_str(), f.value.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("from", Some("build")),
            ("chown", Some("1000:1000")),
            ("chmod", Some("0755")),
            ("link", None)
        ]
    );
    assert_eq!(copy.words(), ["/a", "/b"]);
    assert_eq!(
        df.instructions[3]
            .flag("checksum")
            .and_then(|f| f.value.as_deref()),
        Some("sha256:abc")
    );
    let e = parse("FROM a\nRUN --bogus x\n").unwrap_err();
    assert_eq!(
        (e.line, e.column, e.message.as_str()),
        (2, 5, "unknown flag: bogus")
    );
}

#[test]
fn onbuild_wraps_its_trigger() {
    let df = p("FROM a\nONBUILD RUN apt-get install x\nonbuild copy --chown=1 . /app\n");
    let Args::Onbuild(inner) = &df.instructions[1].args else {
        panic!()
    };
    assert_eq!(inner.keyword, Keyword::Run);
    assert_eq!(inner.args, Args::Shell("apt-get install x".into()));
    assert_eq!(inner.span.column, 9);
    let Args::Onbuild(inner) = &df.instructions[2].args else {
        panic!()
    };
    assert_eq!(inner.keyword, Keyword::Copy);
    assert_eq!(inner.flags[0].name, "chown");
    assert!(parse("FROM a\nONBUILD ONBUILD RUN x\n").is_err());
    assert!(parse("FROM a\nONBUILD FROM b\n").is_err());
}

#[test]
fn keywords_are_case_insensitive_and_unknown_ones_fail() {
    let df = p("from a\nRuN x\nworkDIR /x\n");
    assert_eq!(df.instructions[1].keyword, Keyword::Run);
    assert_eq!(df.instructions[1].keyword_raw, "RuN");
    assert_eq!(df.instructions[2].keyword, Keyword::Workdir);
    let e = parse("FROM a\n\n  FORM b\n").unwrap_err();
    assert_eq!((e.line, e.column), (3, 3));
    assert_eq!(e.message, "unknown instruction: FORM");
    assert!(parse("").is_err());
    assert!(parse("# only a comment\n").is_err());
    assert!(parse("FROM a\nRUN\n").is_err());
}

#[test]
fn env_label_arg_key_values() {
    let df = p(
        "FROM a\nENV A=1 B=\"two words\" C=x\\ y\nENV LEGACY value with spaces\nLABEL a.b=c\nARG X Y=2\n",
    );
    let kv = |i: usize| df.instructions[i].key_values();
    assert_eq!(
        kv(1),
        [
            ("A".into(), Some("1".into())),
            ("B".into(), Some("two words".into())),
            ("C".into(), Some("x y".into()))
        ]
    );
    assert_eq!(kv(2), [("LEGACY".into(), Some("value with spaces".into()))]);
    assert_eq!(kv(4), [("X".into(), None), ("Y".into(), Some("2".into()))]);
    assert!(parse("FROM a\nENV A=1 B\n").is_err());
    assert!(parse("FROM a\nENV ONLY\n").is_err());
}

#[test]
fn variables_in_scope() {
    let df =
        p("ARG V=1\nARG W=2\nFROM img:$V\nARG V\nENV E=${V}-x\nRUN echo\nFROM img\nRUN echo\n");
    let v = df.vars_at(2);
    assert_eq!(crate::expand("img:${V}", &v), "img:1");
    let v = df.vars_at(5);
    assert_eq!(v.get("V").map(String::as_str), Some("1"));
    assert_eq!(v.get("E").map(String::as_str), Some("1-x"));
    assert!(
        !v.contains_key("W"),
        "a global ARG is not visible in a stage unless re-declared"
    );
    assert!(df.vars_at(7).is_empty());
}

#[test]
fn shell_commands_pipes_and_spans() {
    let src = "FROM a\nRUN set -eux; \\\n    curl -fsSL 'https://x/install.sh' | sh -s -- -y \\\n    && (cd /tmp && make) || FOO=1 echo \"fail\"; sleep 1 &\n";
    let df = p(src);
    let sh = df.instructions[1].shell(src).unwrap();
    assert_eq!(sh.unparsed, None);
    let argv: Vec<String> = sh.commands.iter().map(|c| c.argv.join(" ")).collect();
    assert_eq!(
        argv,
        [
            "set -eux",
            "curl -fsSL https://x/install.sh",
            "sh -s -- -y",
            "cd /tmp",
            "make",
            "echo fail",
            "sleep 1"
        ]
    );
    assert_eq!(sh.pipes, [(1, 2)]);
    assert_eq!(sh.piped_into(1).next().map(|c| c.program()), Some("sh"));
    let curl = &sh.commands[1];
    assert_eq!((curl.span.line, curl.span.column), (3, 5));
    assert_eq!(
        &src[curl.span.start..curl.span.end],
        "curl -fsSL 'https://x/install.sh'"
    );
    assert_eq!(sh.commands[3].span.line, 4);
    assert!(sh.commands[6].background);
}

#[test]
fn shell_commands_inside_substitutions() {
    let src = "FROM a\nRUN arch=\"$(dpkg --print-architecture | awk -F- '{ print $NF }')\"; \\\n    for f in $(ls /x | sort); do echo `uname -m` \"$f\"; done\n";
    let df = p(src);
    let sh = df.instructions[1].shell(src).unwrap();
    let argv: Vec<String> = sh.commands.iter().map(|c| c.argv.join(" ")).collect();
    assert_eq!(
        argv,
        [
            "dpkg --print-architecture",
            "awk -F- { print $NF }",
            "ls /x",
            "sort",
            "uname -m",
            "echo `uname -m` $f"
        ]
    );
    assert_eq!(sh.pipes, [(0, 1), (2, 3)]);
    // Commands inside a substitution carry the span of the word holding it.
    assert_eq!(sh.commands[0].span.line, 2);
    assert_eq!(sh.commands[2].span.line, 3);
}

#[test]
fn shell_of_heredoc_and_exec_and_unparsable() {
    let src = "FROM a\nRUN <<EOF\nset -e\napt-get update\nEOF\nRUN [\"apt-get\", \"update\"]\nRUN echo $(( \nRUN python3 <<EOF\nprint(1)\nEOF\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n";
    let df = p(src);
    let sh = df.instructions[1].shell(src).unwrap();
    assert_eq!(sh.commands[1].argv, ["apt-get", "update"]);
    assert_eq!(sh.commands[1].span.line, 4);
    assert!(df.instructions[2].shell(src).is_none());
    assert!(df.instructions[3].shell(src).unwrap().unparsed.is_some());
    let py = df.instructions[4].shell(src).unwrap();
    assert_eq!(py.commands.len(), 1, "{py:?}");
    assert_eq!(py.commands[0].argv, ["python3"]);
    assert!(
        df.instructions[5]
            .shell(src)
            .unwrap()
            .unparsed
            .unwrap()
            .contains("python3")
    );
}

#[test]
fn garbage_never_panics() {
    for src in [
        "\u{feff}FROM a",
        "FROM a\nRUN \\",
        "FROM a\nRUN <<",
        "FROM a\nRUN <<-\n",
        "FROM a\nCOPY <<\"\n",
        "FROM é\nRUN é$(ü",
        "#\n#=\n# x =\nFROM a",
        "FROM a\nHEALTHCHECK CMD\n",
        "FROM a\nRUN --mount=\"a b\" x\n",
        "FROM a\nONBUILD\n",
        // brush-parser 0.4 panics on these (found by the CI fuzz run).
        "FROM a\nRUN <<X\necho ${a<<E}${b\nE\nX\n",
        "FROM a\nRUN <<X\necho $(a<<E)$(b\nE\nX\n",
        "FROM a\nRUN <<X\necho ${a<<E}$((b\nE\nX\n",
    ] {
        std::panic::catch_unwind(|| {
            if let Ok(df) = parse(src) {
                for i in &df.instructions {
                    let _ = i.shell(src);
                }
            }
        })
        .unwrap_or_else(|_| panic!("panicked on {src:?}"));
    }
}

#[test]
fn heredoc_inside_a_closed_expansion_is_not_parsed_but_real_ones_are() {
    for bad in [
        "FROM a\nRUN <<X\necho ${a<<E}${b\nE\nX\n",
        "FROM a\nRUN <<X\necho $(a<<E)$(b\nE\nX\n",
        "FROM a\nRUN <<X\necho ${a<<E}$[b\nE\nX\n",
    ] {
        let df = p(bad);
        let why = df.instructions[1].shell(bad).unwrap().unparsed.unwrap();
        assert!(why.contains("here-document"), "{why}");
    }
    for good in [
        "FROM a\nRUN <<X\nx=$(cat <<E\nhi\nE\n) && echo \"$x\"\nX\n",
        "FROM a\nRUN <<X\necho $((1 << 2)) ${b:-c} $[3<<1]\nX\n",
        "FROM a\nRUN cat <<<\"$(echo hi)\" && tr a b <<< ${x}\n",
        "FROM a\nRUN echo '${a<<E}'\n",
    ] {
        let df = p(good);
        let sh = df.instructions[1].shell(good).unwrap();
        assert_eq!(sh.unparsed, None, "{good:?}");
    }
}

#[test]
fn heredoc_shell_spans_are_exact_with_tab_stripping() {
    let src = "FROM a\nRUN <<-EOF\n\t\tset -e\n\t\tcurl -fsSL https://x | sh\n\tEOF\nARG A=1\n";
    let df = p(src);
    let sh = df.instructions[1].shell(src).unwrap();
    assert_eq!(sh.unparsed, None);
    let curl = &sh.commands[1];
    assert_eq!((curl.span.line, curl.span.column), (4, 3));
    assert_eq!(&src[curl.span.start..curl.span.end], "curl -fsSL https://x");
    assert_eq!(sh.pipes, [(1, 2)]);
}

#[test]
fn global_args_expand_in_order() {
    let df = p("ARG V=12\nARG BASE=debian:${V}-slim\nFROM $BASE\n");
    let vars = df.vars_at(2);
    assert_eq!(crate::expand(&df.stages[0].image, &vars), "debian:12-slim");
    assert_eq!(df.vars_at(1).get("V").map(String::as_str), Some("12"));
}

/// Fuzzing found that brush-parser takes time exponential in the number of
/// unclosed `(` (26 took 8 s; the fuzz input had 115 after `&&`): nesting
/// deeper than 16 is not handed to it.
#[test]
fn deeply_nested_parentheses_are_not_parsed_but_return_at_once() {
    let open = |n: usize| "(".repeat(n);
    let started = std::time::Instant::now();
    for body in [
        format!("apt-get update \\\n    &&{} bash /x.sh", open(115)),
        format!("{}x && {}x && {}x", open(12), open(12), open(12)),
        format!("echo \"$({}\"", open(40)),
    ] {
        let src = format!("FROM a\nRUN {body}\n");
        let df = p(&src);
        let sh = df.instructions[1].shell(&src).unwrap();
        let why = sh.unparsed.unwrap_or_default();
        assert!(why.contains("nested"), "{body}: {why}");
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // Up to the bound the shell is parsed as before. (`;` before each `)`:
    // brush-parser reads `( ( x ) )` as arithmetic.)
    let src = format!(
        "FROM a\nRUN {}apt-get install -y x{}\n",
        "( ".repeat(16),
        "; )".repeat(16)
    );
    let sh = p(&src).instructions[1].shell(&src).unwrap();
    assert_eq!(sh.unparsed, None);
    assert_eq!(sh.commands[0].argv, ["apt-get", "install", "-y", "x"]);
    // Quoted and escaped parentheses do not count.
    let src = format!("FROM a\nRUN echo '{}' \\( && true\n", open(40));
    let sh = p(&src).instructions[1].shell(&src).unwrap();
    assert_eq!(sh.unparsed, None, "{src}");
}

#[test]
fn the_vars_cursor_agrees_with_vars_at_everywhere() {
    let src = "ARG BASE=debian\nARG TAG=12\nFROM ${BASE}:${TAG} AS build\nENV A=1\nARG TAG\nRUN echo $A\n\
               ENV B=${A}2 A=3\nRUN x\nFROM build AS next\nENV C=$B\nRUN y\nFROM alpine\nARG BASE\nENV D=${BASE}-x\nRUN z\n";
    let df = crate::parse(src).unwrap();
    let n = df.instructions.len();
    // In order (as rules ask), out of order, and repeated.
    let mut order: Vec<usize> = (0..n).collect();
    order.extend((0..n).rev());
    order.extend([5, 5, 2, 9, 3]);
    let mut cursor = df.vars_cursor();
    for i in order {
        assert_eq!(cursor.at(i), df.vars_at(i), "instruction {i}");
    }
    assert_eq!(df.vars_at(n - 1)["D"], "debian-x");
}
