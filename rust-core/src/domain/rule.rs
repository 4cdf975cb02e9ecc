//! The ids of the product rules (A1…G4). Every denial names the rule behind it and says it in
//! words ("Only the session owner can transfer the session (T3)"), so a person can tell which rule
//! refused and find its tests (`rust-core/tests/rules.rs`, named after the id).
use serde::{Deserialize, Serialize};
use std::fmt;

/// A product rule id.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rule {
    A1,
    A2,
    A3,
    E1,
    E2,
    E3,
    E4,
    T1,
    T2,
    T3,
    S1,
    S2,
    S3,
    S4,
    S5,
    S6,
    S7,
    X1,
    X2,
    X3,
    X4,
    X5,
    X6,
    M1,
    B1,
    J1,
    C1,
    C2,
    C3,
    G1,
    G2,
    G3,
    G4,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
