use std::collections::HashSet;

use plimsoll_dockerfile::Keyword;

use crate::util::var_refs;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// USER by name rather than by numeric id.
    ///
    /// A user name is resolved through the image's `/etc/passwd`; the host,
    /// Kubernetes' `runAsNonRoot` check and volume ownership only see
    /// numbers, so a name cannot be verified as non-root from outside the
    /// image (P-C3 prefers a numeric uid). Variables are expanded when the
    /// Dockerfile gives their value; a build argument without a value
    /// (`USER ${APP_UID}`) is not flagged.
    ///
    /// Fix: `USER 10001:10001`.
    pub struct NonNumericUser {
        code: "DF079",
        name: "non-numeric-user",
        practice: "P-C3",
        hadolint: Some("DL3066"),
        severity: Low,
    }
}

impl Rule for NonNumericUser {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let mut args: HashSet<String> = HashSet::new();
        for (i, ins) in ctx.df.instructions.iter().enumerate() {
            match ins.keyword {
                Keyword::Arg => args.extend(ins.key_values().into_iter().map(|(k, _)| k)),
                Keyword::User => {
                    let Some(user) = ins.words().into_iter().next() else {
                        continue;
                    };
                    let vars = ctx.vars_at(i);
                    let uid = user.split(':').next().unwrap_or_default();
                    let refs = var_refs(uid);
                    if refs.iter().any(|r| !vars.contains_key(*r)) {
                        // A value the Dockerfile does not give: an ARG set by
                        // --build-arg, or a variable it never declares.
                        if refs.iter().any(|r| args.contains(*r)) {
                            continue;
                        }
                    } else {
                        let uid = plimsoll_dockerfile::expand(uid, &vars);
                        if uid.chars().all(|c| c.is_ascii_digit()) {
                            continue;
                        }
                    }
                    out.push(
                        hit(
                            &Self::RULE,
                            i,
                            ins.span.line,
                            format!("USER `{user}` is not a numeric uid"),
                        )
                        .help("use the numeric uid (and gid): `USER 10001:10001`"),
                    );
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run;

    #[test]
    fn snapshot() {
        let src = "ARG APP_UID\nFROM a:1\nUSER 12345\nUSER 1234:5678\nUSER foobar\nUSER foobar:barfoo\nUSER ${APP_UID}\nARG N=1000\nUSER $N:$N\nENV NAME=app\nUSER $NAME\nUSER $UNDECLARED\n";
        assert_eq!(
            run("DF079", src),
            "5: USER `foobar` is not a numeric uid\n\
             6: USER `foobar:barfoo` is not a numeric uid\n\
             11: USER `$NAME` is not a numeric uid\n\
             12: USER `$UNDECLARED` is not a numeric uid\n"
        );
    }
}
