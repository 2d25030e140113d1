//! One rule per file. Codes are stable: never renumber, never reuse.

mod moved_release_tag;
mod stale_moving_tag;
mod unconventional_tag;

pub use moved_release_tag::MovedReleaseTag;
pub use stale_moving_tag::StaleMovingTag;
pub use unconventional_tag::UnconventionalTag;

/// Every rule, in code order.
pub const ALL: &[&plimsoll_report::RuleInfo] = &[
    &MovedReleaseTag::INFO,
    &StaleMovingTag::INFO,
    &UnconventionalTag::INFO,
];
