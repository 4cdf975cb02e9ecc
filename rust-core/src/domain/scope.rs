//! Whose records an administrator reads (G1, ours): session reports and the audit. A master
//! administrator reads every one; an administrator those of the people and groups they
//! administer: the sessions in which a technician they manage (or they themselves) took part,
//! or that waited in the queue of a group below theirs, and the audit lines of those
//! technicians. A report holds its session's chat, so nobody reads one beyond that; failed
//! sign-ins by unknown people are the master administrators' alone.
use super::command::Actor;
use super::denial::{CommandError, Denial, Reason};
use super::ids::{TeamId, TechnicianId};
use super::org::Role;
use super::rule::Rule;
use super::state::State;
use std::collections::BTreeSet;

/// Whose session reports and audit lines an account reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminScope {
    /// A master administrator: every session's.
    Every,
    /// An administrator: the sessions in which one of these technicians took part, or that
    /// waited in one of these groups' queues.
    Within {
        /// Technicians they manage, and themselves.
        technicians: BTreeSet<TechnicianId>,
        /// The groups below theirs.
        teams: BTreeSet<TeamId>,
    },
}

impl AdminScope {
    /// Whether the audit lines of technician `who` are within the scope.
    #[must_use]
    pub fn covers_technician(&self, who: TechnicianId) -> bool {
        match self {
            Self::Every => true,
            Self::Within { technicians, .. } => technicians.contains(&who),
        }
    }

    /// Whether the report of a session in which `technicians` took part and that waited in the
    /// queues of `teams` is within the scope.
    #[must_use]
    pub fn covers(&self, technicians: &[TechnicianId], teams: &[TeamId]) -> bool {
        match self {
            Self::Every => true,
            Self::Within {
                technicians: mine,
                teams: my_teams,
            } => {
                technicians.iter().any(|t| mine.contains(t))
                    || teams.iter().any(|t| my_teams.contains(t))
            }
        }
    }
}

impl State {
    /// Whose session reports and audit lines `actor` reads.
    ///
    /// # Errors
    /// The G1 denial for anyone who administers nothing.
    pub fn admin_scope(&self, actor: Actor) -> Result<AdminScope, CommandError> {
        let home = match self.admin_role(actor)? {
            Role::MasterAdministrator => return Ok(AdminScope::Every),
            Role::Administrator { team } => team,
            Role::Technician => return Err(Denial::new(Rule::G1, Reason::NotAdministrator).into()),
        };
        let teams = self
            .teams
            .keys()
            .filter(|t| **t != home && self.is_within(**t, home))
            .copied()
            .collect();
        let me = self.technician_actor(actor)?;
        let technicians = self
            .technicians
            .keys()
            .filter(|t| **t == me || self.manage_technician(actor, **t, true).is_ok())
            .copied()
            .collect();
        Ok(AdminScope::Within { technicians, teams })
    }

    /// Whether `actor` reads the report of a session in which `technicians` took part and that
    /// waited in the queues of `teams`.
    ///
    /// # Errors
    /// The G1 denial for a session outside their scope, or for anyone who administers nothing.
    pub fn may_read_session_report(
        &self,
        actor: Actor,
        technicians: &[TechnicianId],
        teams: &[TeamId],
    ) -> Result<(), CommandError> {
        if self.admin_scope(actor)?.covers(technicians, teams) {
            Ok(())
        } else {
            Err(Denial::new(Rule::G1, Reason::SessionOutsideAdminScope).into())
        }
    }
}
