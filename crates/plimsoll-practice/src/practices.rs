//! The practices (`P-…` ids) every rule names.
