//! Administration: the team tree, permissions and locks (G1–G3), and what administrators set up
//! for sessions (security policies X2, approved externals X6, support issues S1, jump groups J1,
//! support button profiles B1, settings X3/E4).
use super::command::{Actor, AdminCommand};
use super::denial::{CommandError, Denial, Entity, InvalidInput, Reason};
use super::event::Event;
use super::ids::{
    ApprovedExternalId, ButtonProfileId, IssueId, JumpGroupId, PolicyId, TeamId, TechnicianId,
};
use super::names;
use super::org::{
    ApprovedExternal, ButtonProfile, JumpGroup, Role, SecurityPolicy, SupportIssue, Team,
    Technician,
};
use super::plan::{MAX_NAME_CHARS, MAX_TEXT_CHARS, email, optional_text, text};
use super::rule::Rule;
use super::state::{IdGen, State};
use std::collections::BTreeSet;

impl State {
    /// The role of the acting account, if it administers anything.
    pub(super) fn admin_role(&self, actor: Actor) -> Result<Role, CommandError> {
        let me = self.technician_actor(actor)?;
        match self.technicians.get(&me).map(|t| t.role) {
            Some(Role::Technician) | None => {
                Err(Denial::new(Rule::G1, Reason::NotAdministrator).into())
            }
            Some(role) => Ok(role),
        }
    }

    fn master(&self, actor: Actor) -> Result<(), CommandError> {
        match self.admin_role(actor)? {
            Role::MasterAdministrator => Ok(()),
            _ => Err(Denial::new(Rule::G1, Reason::MasterOnly).into()),
        }
    }

    /// G1: master administrators manage every team; administrators only the teams strictly
    /// below the one they are assigned to.
    fn manage_team(&self, actor: Actor, team: TeamId) -> Result<Role, CommandError> {
        // Who asks is checked first: someone who administers nothing learns nothing about
        // which teams exist.
        let role = self.admin_role(actor)?;
        if !self.teams.contains_key(&team) {
            return Err(CommandError::NotFound {
                kind: Entity::Team,
                id: team.0,
            });
        }
        match role {
            Role::Administrator { team: home } if team == home || !self.is_within(team, home) => {
                Err(Denial::new(Rule::G1, Reason::OutsideAdminScope).into())
            }
            _ => Ok(role),
        }
    }

    /// G1: what an administrator makes belongs to a team within their scope; only master
    /// administrators make organisation-wide things.
    fn scoped(&self, actor: Actor, team: Option<TeamId>) -> Result<(), CommandError> {
        match (self.admin_role(actor)?, team) {
            (Role::MasterAdministrator, None) => Ok(()),
            (_, None) => Err(Denial::new(Rule::G1, Reason::OutsideAdminScope).into()),
            (_, Some(team)) => self.manage_team(actor, team).map(|_| ()),
        }
    }

    /// G1 (ours): master administrators manage every account; an administrator manages the
    /// plain technicians whose groups are all below the group they are assigned to (an account
    /// in no group, or in one outside, is for a master administrator). Disabling an account or
    /// replacing its password is never done to one's own (`own`), so nobody locks themselves out.
    pub(super) fn manage_technician(
        &self,
        actor: Actor,
        technician: TechnicianId,
        own: bool,
    ) -> Result<(), CommandError> {
        let role = self.admin_role(actor)?;
        let target = self
            .technicians
            .get(&technician)
            .ok_or(CommandError::NotFound {
                kind: Entity::Technician,
                id: technician.0,
            })?;
        if !own && self.technician_actor(actor)? == technician {
            return Err(Denial::new(Rule::G1, Reason::OwnAccount).into());
        }
        let Role::Administrator { team: home } = role else {
            return Ok(());
        };
        if target.role != Role::Technician {
            return Err(Denial::new(Rule::G1, Reason::MasterOnly).into());
        }
        let mut groups = self
            .teams
            .values()
            .filter(|t| t.members.contains(&technician))
            .peekable();
        let within =
            groups.peek().is_some() && groups.all(|t| t.id != home && self.is_within(t.id, home));
        if within {
            Ok(())
        } else {
            Err(Denial::new(Rule::G1, Reason::AccountOutsideAdminScope).into())
        }
    }

    #[allow(clippy::too_many_lines)]
    pub(crate) fn plan_admin(
        &self,
        ids: &mut IdGen,
        actor: Actor,
        command: &AdminCommand,
    ) -> Result<Vec<Event>, CommandError> {
        use AdminCommand as C;
        let event = match command {
            C::CreateTeam {
                parent,
                name,
                description,
            } => {
                text("The team's name", name, MAX_NAME_CHARS)?;
                optional_text("The description", description, MAX_TEXT_CHARS)?;
                let inherited = match (self.admin_role(actor)?, parent) {
                    (Role::MasterAdministrator, None) => None,
                    (_, None) => {
                        return Err(Denial::new(Rule::G1, Reason::OutsideAdminScope).into());
                    }
                    (Role::Administrator { team: home }, Some(p)) if !self.is_within(*p, home) => {
                        return Err(if self.teams.contains_key(p) {
                            Denial::new(Rule::G1, Reason::OutsideAdminScope).into()
                        } else {
                            CommandError::NotFound {
                                kind: Entity::Team,
                                id: p.0,
                            }
                        });
                    }
                    (_, Some(p)) => Some(self.teams.get(p).ok_or(CommandError::NotFound {
                        kind: Entity::Team,
                        id: p.0,
                    })?),
                };
                names::free(self.group_names_below(*parent, None), name, Rule::G2)?;
                // A new subgroup starts with its parent's permissions; locks above it apply anyway.
                Event::TeamCreated {
                    team: Team {
                        id: TeamId(ids.next()),
                        parent: *parent,
                        name: name.trim().to_owned(),
                        description: description.clone(),
                        enabled: true,
                        permissions: inherited.map(|p| p.permissions.clone()).unwrap_or_default(),
                        locks: BTreeSet::new(),
                        members: BTreeSet::new(),
                        require_second_factor: false,
                    },
                }
            }
            C::UpdateTeam {
                team,
                name,
                description,
                enabled,
            } => {
                self.manage_team(actor, *team)?;
                text("The team's name", name, MAX_NAME_CHARS)?;
                optional_text("The description", description, MAX_TEXT_CHARS)?;
                // Only a new name is checked: a group that shares its name with a sibling from
                // before names were unique can still be described, enabled or disabled.
                if let Some(current) = self.teams.get(team)
                    && !names::same(&current.name, name)
                {
                    let below = self.group_names_below(current.parent, Some(*team));
                    names::free(below, name, Rule::G2)?;
                }
                Event::TeamUpdated {
                    team: *team,
                    name: name.trim().to_owned(),
                    description: description.clone(),
                    enabled: *enabled,
                }
            }
            C::MoveTeam { team, parent } => {
                self.manage_team(actor, *team)?;
                match (self.admin_role(actor)?, parent) {
                    (Role::MasterAdministrator, None) => {}
                    (_, None) => {
                        return Err(Denial::new(Rule::G1, Reason::OutsideAdminScope).into());
                    }
                    (role, Some(p)) => {
                        if !self.teams.contains_key(p) {
                            return Err(CommandError::NotFound {
                                kind: Entity::Team,
                                id: p.0,
                            });
                        }
                        if let Role::Administrator { team: home } = role
                            && !self.is_within(*p, home)
                        {
                            return Err(Denial::new(Rule::G1, Reason::OutsideAdminScope).into());
                        }
                        // Below itself or below one of its own subteams: a loop, not a tree.
                        if self.is_within(*p, *team) {
                            return Err(InvalidInput::Cycle.into());
                        }
                    }
                }
                if let Some(moved) = self.teams.get(team) {
                    let below = self.group_names_below(*parent, Some(*team));
                    names::free(below, &moved.name, Rule::G2)?;
                    // G1: a lock set above the group by a master administrator still binds it
                    // after an administrator moves it.
                    let locks_above = |p: Option<TeamId>| -> BTreeSet<_> {
                        p.into_iter()
                            .flat_map(|p| self.ancestry(p))
                            .flat_map(|t| t.locks.iter().copied())
                            .collect()
                    };
                    if self.admin_role(actor)? != Role::MasterAdministrator
                        && !locks_above(moved.parent).is_subset(&locks_above(*parent))
                    {
                        return Err(Denial::new(Rule::G1, Reason::Locked).into());
                    }
                }
                Event::TeamMoved {
                    team: *team,
                    parent: *parent,
                }
            }
            C::SetPermission { team, grant } => {
                let role = self.manage_team(actor, *team)?;
                if role != Role::MasterAdministrator && self.is_locked(*team, grant.key()) {
                    return Err(Denial::new(Rule::G1, Reason::Locked).into());
                }
                Event::PermissionChanged {
                    team: *team,
                    grant: grant.clone(),
                }
            }
            C::LockPermission { team, key, locked } => {
                self.master(actor)?;
                self.manage_team(actor, *team)?;
                Event::PermissionLockChanged {
                    team: *team,
                    key: *key,
                    locked: *locked,
                }
            }
            C::RequireSecondFactor { team, required } => {
                // Within the administrator's groups (G1). Lifting it here leaves a requirement
                // set above in force: it holds for every group below the one that sets it.
                self.manage_team(actor, *team)?;
                Event::SecondFactorRequirementChanged {
                    team: *team,
                    required: *required,
                }
            }
            C::CreateTechnician {
                name,
                email: address,
                role,
            } => {
                let mine = self.admin_role(actor)?;
                text("The technician's name", name, MAX_NAME_CHARS)?;
                email(address)?;
                if mine != Role::MasterAdministrator && *role != Role::Technician {
                    return Err(Denial::new(Rule::G1, Reason::MasterOnly).into());
                }
                if let Role::Administrator { team } = role
                    && !self.teams.contains_key(team)
                {
                    return Err(CommandError::NotFound {
                        kind: Entity::Team,
                        id: team.0,
                    });
                }
                if self
                    .technicians
                    .values()
                    .any(|t| t.email.eq_ignore_ascii_case(address))
                {
                    return Err(Denial::new(Rule::G1, Reason::EmailTaken).into());
                }
                Event::TechnicianCreated {
                    technician: Technician {
                        id: TechnicianId(ids.next()),
                        name: name.trim().to_owned(),
                        email: address.clone(),
                        role: *role,
                        logged_in: false,
                        extended_availability: false,
                        enabled: true,
                        created_by: Some(self.technician_actor(actor)?),
                    },
                }
            }
            C::SetTeamMember {
                team,
                technician,
                member,
            } => {
                let role = self.manage_team(actor, *team)?;
                let Some(target) = self.technicians.get(technician) else {
                    return Err(CommandError::NotFound {
                        kind: Entity::Technician,
                        id: technician.0,
                    });
                };
                // G1 (ours): an administrator brings into their groups only the technicians they
                // manage, or an account they created that is in no group yet: not one from
                // another branch, nor one left in no group, whose rights, password and session
                // reports would then be theirs.
                if *member && role != Role::MasterAdministrator {
                    let in_no_group = !self.teams.values().any(|t| t.members.contains(technician));
                    let theirs =
                        in_no_group && target.created_by == Some(self.technician_actor(actor)?);
                    if !theirs {
                        self.manage_technician(actor, *technician, true)?;
                    }
                }
                Event::TeamMembershipChanged {
                    team: *team,
                    technician: *technician,
                    member: *member,
                }
            }
            C::SetTechnicianEnabled {
                technician,
                enabled,
            } => {
                self.manage_technician(actor, *technician, false)?;
                // The sessions the account was in are settled in the same commit as its end.
                let mut events = if *enabled {
                    Vec::new()
                } else {
                    self.account_disabled(*technician)
                };
                events.push(Event::TechnicianEnabledChanged {
                    technician: *technician,
                    enabled: *enabled,
                });
                return Ok(events);
            }
            C::ResetPassword { technician } => {
                self.manage_technician(actor, *technician, false)?;
                Event::PasswordReset {
                    technician: *technician,
                }
            }
            C::SignOutEverywhere { technician } => {
                self.manage_technician(actor, *technician, true)?;
                Event::TechnicianSignedOut {
                    technician: *technician,
                }
            }
            C::CreateSecurityPolicy {
                name,
                description,
                permissions,
                team,
            } => {
                self.scoped(actor, *team)?;
                text("The policy's name", name, MAX_NAME_CHARS)?;
                optional_text("The description", description, MAX_TEXT_CHARS)?;
                let taken = self.policies.values().map(|p| p.name.as_str());
                names::free(taken, name, Rule::X2)?;
                Event::SecurityPolicyCreated {
                    policy: SecurityPolicy {
                        id: PolicyId(ids.next()),
                        name: name.trim().to_owned(),
                        description: description.clone(),
                        permissions: permissions.clone(),
                        team: *team,
                    },
                }
            }
            C::CreateSupportIssue {
                name,
                team,
                allow_help_requests,
            } => {
                self.manage_team(actor, *team)?;
                text("The issue's name", name, MAX_NAME_CHARS)?;
                names::free(
                    self.issues.values().map(|i| i.name.as_str()),
                    name,
                    Rule::S1,
                )?;
                Event::SupportIssueCreated {
                    issue: SupportIssue {
                        id: IssueId(ids.next()),
                        name: name.trim().to_owned(),
                        team: *team,
                        allow_help_requests: *allow_help_requests,
                    },
                }
            }
            C::AddApprovedExternal {
                name,
                email: address,
                team,
            } => {
                self.scoped(actor, *team)?;
                text("The person's name", name, MAX_NAME_CHARS)?;
                email(address)?;
                // Once per group: the same vendor may be approved by two branches.
                let approved = |p: &ApprovedExternal| {
                    p.team == *team && p.email.trim().eq_ignore_ascii_case(address.trim())
                };
                if self.approved_externals.values().any(approved) {
                    return Err(Denial::new(Rule::X6, Reason::AlreadyApproved).into());
                }
                Event::ApprovedExternalAdded {
                    person: ApprovedExternal {
                        id: ApprovedExternalId(ids.next()),
                        name: name.trim().to_owned(),
                        email: address.clone(),
                        team: *team,
                    },
                }
            }
            C::CreateJumpGroup {
                name,
                members,
                team,
            } => {
                self.scoped(actor, *team)?;
                text("The jump group's name", name, MAX_NAME_CHARS)?;
                let taken = self.jump_groups.values().map(|g| g.name.as_str());
                names::free(taken, name, Rule::J1)?;
                if let Some(unknown) = members.iter().find(|m| !self.technicians.contains_key(*m)) {
                    return Err(CommandError::NotFound {
                        kind: Entity::Technician,
                        id: unknown.0,
                    });
                }
                // A scoped group reaches only technicians within its team's subtree.
                if let Some(scope) = team
                    && members.iter().any(|m| {
                        !self
                            .teams
                            .values()
                            .any(|t| self.is_within(t.id, *scope) && t.members.contains(m))
                    })
                {
                    return Err(Denial::new(Rule::G1, Reason::OutsideAdminScope).into());
                }
                Event::JumpGroupCreated {
                    group: JumpGroup {
                        id: JumpGroupId(ids.next()),
                        name: name.trim().to_owned(),
                        members: members.clone(),
                        team: *team,
                    },
                }
            }
            C::CreateButtonProfile { name, team } => {
                self.scoped(actor, *team)?;
                text("The profile's name", name, MAX_NAME_CHARS)?;
                let taken = self.button_profiles.values().map(|p| p.name.as_str());
                names::free(taken, name, Rule::B1)?;
                Event::ButtonProfileCreated {
                    profile: ButtonProfile {
                        id: ButtonProfileId(ids.next()),
                        name: name.trim().to_owned(),
                        team: *team,
                    },
                }
            }
            C::UpdateSettings { settings } => {
                self.master(actor)?;
                Event::SettingsChanged {
                    settings: settings.clone(),
                }
            }
        };
        Ok(vec![event])
    }
}
