//! The attack suite (issue 10): each attack tried from outside against the real appliance
//! process, as an attacker would, asserting that it is held. The customer client's own side of
//! these (the support button's secret in its launcher, the jump client's one-time credential) is
//! exercised through the real `tandem-customer` binary by `button.rs` and `jump.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "attacks/abuse.rs"]
mod abuse;
#[path = "attacks/bounded.rs"]
mod bounded;
#[path = "attacks/forbidden.rs"]
mod forbidden;
#[path = "attacks/frames.rs"]
mod frames;
#[path = "attacks/identity.rs"]
mod identity;
#[path = "attacks/raw.rs"]
mod raw;
#[path = "attacks/rights.rs"]
mod rights;
