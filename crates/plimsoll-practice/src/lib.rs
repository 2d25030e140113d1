//! Practice knowledge in one place: the practices every rule names (`P-…`
//! ids) and the tables the rule families share (Dockerfile, image, and the
//! run-time configuration rules), so a practice is judged the same way
//! wherever it applies.

pub mod practices;
pub mod runtime;
pub mod services;
pub mod shells;
pub mod supervisors;
pub mod tags;
pub mod tools;
