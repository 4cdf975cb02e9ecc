//! Names that tell things apart (ours): technicians choose groups, policies, support issues, jump
//! groups and button profiles from lists that show names only (S1, X2, J1, B1), so two of a
//! kind in the same list may not share a name. This also makes a form sent twice (a double tap
//! on a slow network) make one thing, not two.
use super::denial::{Denial, Reason};
use super::ids::TeamId;
use super::rule::Rule;
use super::state::State;

/// Whether two names read the same in a list: trimmed, whatever their case.
pub(super) fn same(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// `name` is not among `taken`.
///
/// # Errors
/// `NameTaken` under `rule`.
pub(super) fn free<'a>(
    taken: impl IntoIterator<Item = &'a str>,
    name: &str,
    rule: Rule,
) -> Result<(), Denial> {
    if taken.into_iter().any(|t| same(t, name)) {
        Err(Denial::new(rule, Reason::NameTaken))
    } else {
        Ok(())
    }
}

impl State {
    /// G2: the names of the groups directly below `parent` (the top of the tree for `None`),
    /// other than `except`.
    pub(super) fn group_names_below(
        &self,
        parent: Option<TeamId>,
        except: Option<TeamId>,
    ) -> impl Iterator<Item = &str> {
        self.teams
            .values()
            .filter(move |t| t.parent == parent && Some(t.id) != except)
            .map(|t| t.name.as_str())
    }
}
