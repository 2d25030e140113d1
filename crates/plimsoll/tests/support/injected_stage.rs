//! The steps `plimsoll dockerfile inject` added, read back from its output
//! with plimsoll's Dockerfile parser, so a test applies what the rewrite
//! produced (to a built image's config and layers) instead of a copy of it.

// Each test file including this module uses a part of it.
#![allow(dead_code)]

use std::collections::HashMap;

use plimsoll_dockerfile::Keyword;

/// One instruction of the added `*-with-services` stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Copy {
        from: String,
        src: String,
        dst: String,
        chown: Option<String>,
        chmod: Option<String>,
    },
    /// The value as written (`${JAVA_TOOL_OPTIONS:+…}` unexpanded).
    Env {
        name: String,
        value: String,
    },
    Label {
        key: String,
        value: String,
    },
    User(String),
    Expose(String),
}

/// The steps of the final stage of `text`, which must be the one inject
/// added (`FROM <final> AS <final>-with-services`).
pub fn added_steps(text: &str) -> Vec<Step> {
    let df = plimsoll_dockerfile::parse(text).expect("the rewritten Dockerfile parses");
    let stage = df.stages.last().expect("a final stage");
    assert!(
        stage
            .name
            .as_deref()
            .is_some_and(|n| n.ends_with("-with-services")),
        "the final stage is not inject's: {:?}",
        stage.name
    );
    let mut out = Vec::new();
    for ins in &df.instructions[stage.instructions.clone()] {
        match ins.keyword {
            Keyword::From => {}
            Keyword::Copy => {
                let words = ins.words();
                assert_eq!(words.len(), 2, "COPY SRC DST: {words:?}");
                let flag = |n: &str| ins.flag(n).and_then(|f| f.value.clone());
                out.push(Step::Copy {
                    from: flag("from").expect("COPY --from"),
                    src: words[0].clone(),
                    dst: words[1].clone(),
                    chown: flag("chown"),
                    chmod: flag("chmod"),
                });
            }
            Keyword::Env => {
                for (name, value) in ins.key_values() {
                    out.push(Step::Env {
                        name,
                        value: value.unwrap_or_default(),
                    });
                }
            }
            Keyword::Label => {
                for (key, value) in ins.key_values() {
                    out.push(Step::Label {
                        key,
                        value: value.unwrap_or_default(),
                    });
                }
            }
            Keyword::User => out.push(Step::User(ins.words().join(" "))),
            Keyword::Expose => out.extend(ins.words().into_iter().map(Step::Expose)),
            other => panic!("inject added an unexpected {other:?}"),
        }
    }
    out
}

/// An ENV value expanded against the image's environment (`KEY=VALUE`
/// entries), as a builder expands it.
pub fn expand(value: &str, env: &[String]) -> String {
    let vars: HashMap<String, String> = env
        .iter()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    plimsoll_dockerfile::expand(value, &vars)
}

/// `env` with the added stage's ENV steps applied (a variable set again
/// replaces its entry).
pub fn apply_env(env: &[String], steps: &[Step]) -> Vec<String> {
    let mut env = env.to_vec();
    for s in steps {
        if let Step::Env { name, value } = s {
            let v = expand(value, &env);
            env.retain(|kv| kv.split_once('=').map(|(k, _)| k) != Some(name.as_str()));
            env.push(format!("{name}={v}"));
        }
    }
    env
}
