//! The runtime user: `User` from the config, resolved through /etc/passwd
//! and /etc/group the way the runtime does.

/// Who the container runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeUser {
    /// The `User` field as written (empty when unset).
    pub spec: String,
    /// Resolved uid; None when a name is not in /etc/passwd.
    pub uid: Option<u64>,
    pub gid: Option<u64>,
}

impl RuntimeUser {
    pub fn resolve(spec: &str, passwd: Option<&[u8]>, group: Option<&[u8]>) -> Self {
        let (user, grp) = match spec.split_once(':') {
            Some((u, g)) => (u, Some(g)),
            None => (spec, None),
        };
        let passwd = passwd.map(String::from_utf8_lossy).unwrap_or_default();
        let group_db = group.map(String::from_utf8_lossy).unwrap_or_default();
        let (uid, mut gid) = if user.is_empty() {
            (Some(0), Some(0))
        } else if let Ok(n) = user.parse::<u64>() {
            let gid = field_by(&passwd, 2, &n.to_string(), 3);
            (Some(n), gid.or(Some(n)))
        } else {
            (field_by(&passwd, 0, user, 2), field_by(&passwd, 0, user, 3))
        };
        if let Some(g) = grp {
            gid = g.parse().ok().or_else(|| field_by(&group_db, 0, g, 2));
        }
        RuntimeUser {
            spec: spec.to_string(),
            uid,
            gid,
        }
    }

    /// Root: uid 0, or the name `root` even when /etc/passwd cannot say.
    pub fn is_root(&self) -> bool {
        self.uid == Some(0) || self.spec.split(':').next() == Some("root")
    }

    /// A user name /etc/passwd does not resolve (missing, or not a regular
    /// file): the runtime may still map it to uid 0, so it cannot be cleared.
    pub fn is_unresolved(&self) -> bool {
        self.uid.is_none()
    }
}

/// In a colon-separated database, the `want` field of the first line whose
/// `key` field equals `value`.
fn field_by(db: &str, key: usize, value: &str, want: usize) -> Option<u64> {
    db.lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.get(key) == Some(&value))
        .and_then(|f| f.get(want)?.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/bash\napp:x:1000:1001::/home/app:/bin/sh\n";
    const GROUP: &[u8] = b"root:x:0:\nstaff:x:50:\n";

    #[test]
    fn resolves_names_and_numbers() {
        let u = RuntimeUser::resolve("", Some(PASSWD), None);
        assert!(u.is_root());
        let u = RuntimeUser::resolve("app", Some(PASSWD), None);
        assert_eq!((u.uid, u.gid), (Some(1000), Some(1001)));
        let u = RuntimeUser::resolve("app:staff", Some(PASSWD), Some(GROUP));
        assert_eq!(u.gid, Some(50));
        let u = RuntimeUser::resolve("4242", Some(PASSWD), None);
        assert_eq!((u.uid, u.gid), (Some(4242), Some(4242)));
        let u = RuntimeUser::resolve("root", Some(PASSWD), None);
        assert!(u.is_root());
        let u = RuntimeUser::resolve("ghost", Some(PASSWD), None);
        assert_eq!(u.uid, None);
        assert!(u.is_unresolved() && !u.is_root());
        let u = RuntimeUser::resolve("root", None, None);
        assert!(u.is_root());
    }
}
