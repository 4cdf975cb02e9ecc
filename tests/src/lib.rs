//! End-to-end tests across processes (appliance, console core, customer client) live in this
//! crate's `tests/` folder once those processes exist (issues 3 to 5).
