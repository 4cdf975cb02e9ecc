//! The organisation tree as an administrator sees it: each group with its permissions and
//! locks, and for each change whether this administrator may make it, decided by planning the
//! very command the form would send (`State::plan` changes nothing) and greyed with the engine's
//! reason when not (A3, G1).
use tandem_core::domain::{
    Actor, AdminCommand, Command, Permission, PermissionGrant, PermissionKey, PermissionSet, State,
    TeamId, Timestamp,
};

/// Whether an action may be taken, and the rules engine's reason when not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowed {
    /// The engine's reason it may not, as a sentence naming its rule.
    pub reason: Option<String>,
}

impl Allowed {
    /// Plan `command` as `actor`: allowed, or the engine's reason.
    pub fn of(state: &State, actor: Actor, command: &Command, now: Timestamp) -> Self {
        Self {
            reason: state.plan(actor, command, now).err().map(|e| e.to_string()),
        }
    }
}

/// A permission of a group: on or off, locked or not, and the lock's button.
#[derive(Debug, Clone)]
pub struct PermissionRow {
    /// Its key as the form sends it back (JSON).
    pub key: String,
    /// How it reads.
    pub label: String,
    /// Its name as the form sends it back (`RemoteControl`).
    pub name: String,
    /// Whether the group's members have it.
    pub on: bool,
    /// Locked here (G1).
    pub locked: bool,
    /// Locked in a group above: changed there, not here.
    pub locked_above: bool,
    /// Members who do not get it although this group grants it, and why (G1).
    pub held_off: Option<String>,
    /// Locking or unlocking it here.
    pub toggle: Allowed,
    /// Turning it on or off for the group's members (G3).
    pub switch: Allowed,
}

/// A group of the tree, in depth-first order.
#[derive(Debug, Clone)]
pub struct TeamRow {
    /// Its id.
    pub id: u64,
    /// How far below the top.
    pub depth: usize,
    /// Its name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Enabled (G2).
    pub enabled: bool,
    /// How many technicians belong to it.
    pub members: usize,
    /// Creating a group below it.
    pub create_below: Allowed,
    /// Renaming it, describing it, enabling or disabling it (G2).
    pub update: Allowed,
    /// Moving it (planned as a move to where it is: whether this administrator may move it).
    pub move_it: Allowed,
    /// The team it is below, if any.
    pub parent: Option<u64>,
    /// Its permissions.
    pub permissions: Vec<PermissionRow>,
    /// Two-step sign-in required here (or above: `second_factor_above`), and switching it.
    pub second_factor: bool,
    /// Required by a group above: it holds here whatever this group says.
    pub second_factor_above: bool,
    /// Requiring it here or not.
    pub second_factor_switch: Allowed,
}

/// "RemoteControl" as "Remote control".
pub fn label(p: Permission) -> String {
    let name = format!("{p:?}");
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if i > 0 && c.is_uppercase() {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every group, depth first (children by name), with what `actor` may do to each.
#[must_use]
pub fn rows(state: &State, actor: Actor, now: Timestamp) -> Vec<TeamRow> {
    let mut out = Vec::new();
    let mut stack: Vec<(TeamId, usize)> = children(state, None)
        .into_iter()
        .rev()
        .map(|t| (t, 0))
        .collect();
    while let Some((id, depth)) = stack.pop() {
        let Some(team) = state.teams.get(&id) else {
            continue;
        };
        let create_below = Allowed::of(
            state,
            actor,
            &Command::Admin(AdminCommand::CreateTeam {
                parent: Some(id),
                name: "New group".into(),
                description: String::new(),
            }),
            now,
        );
        // What the group grants, locks above it applied (G1), and what each member ends up
        // with: a lock in another of a member's groups may hold a permission off for them.
        let granted = state.team_permissions(team);
        let members: Vec<(String, PermissionSet)> = team
            .members
            .iter()
            .filter_map(|m| {
                let t = state.technicians.get(m)?;
                Some((t.name.clone(), state.permissions_of(*m)))
            })
            .collect();
        let permissions = Permission::ALL
            .iter()
            .map(|p| {
                let key = PermissionKey::Flag(*p);
                let locked = state.is_locked(id, key);
                let here = team.locks.contains(&key);
                let on = granted.has(*p);
                let held_off: Vec<&str> = members
                    .iter()
                    .filter(|(_, has)| on && !has.has(*p))
                    .map(|(name, _)| name.as_str())
                    .collect();
                PermissionRow {
                    key: serde_json::to_string(&key).unwrap_or_default(),
                    label: label(*p),
                    name: format!("{p:?}"),
                    on,
                    switch: Allowed::of(
                        state,
                        actor,
                        &Command::Admin(AdminCommand::SetPermission {
                            team: id,
                            grant: PermissionGrant::Flag(*p, !on),
                        }),
                        now,
                    ),
                    locked: here,
                    locked_above: locked && !here,
                    held_off: (!held_off.is_empty()).then(|| {
                        format!(
                            "Not for {}: a master administrator locked it off in another of their groups, and a lock holds in every group (G1)",
                            held_off.join(", ")
                        )
                    }),
                    toggle: Allowed::of(
                        state,
                        actor,
                        &Command::Admin(AdminCommand::LockPermission {
                            team: id,
                            key,
                            locked: !here,
                        }),
                        now,
                    ),
                }
            })
            .collect();
        let update = Allowed::of(
            state,
            actor,
            &Command::Admin(AdminCommand::UpdateTeam {
                team: id,
                name: team.name.clone(),
                description: team.description.clone(),
                enabled: !team.enabled,
            }),
            now,
        );
        let move_it = Allowed::of(
            state,
            actor,
            &Command::Admin(AdminCommand::MoveTeam {
                team: id,
                parent: team.parent,
            }),
            now,
        );
        out.push(TeamRow {
            id: id.0,
            depth,
            name: team.name.clone(),
            description: team.description.clone(),
            enabled: team.enabled,
            members: team.members.len(),
            create_below,
            update,
            move_it,
            parent: team.parent.map(|p| p.0),
            permissions,
            second_factor: team.require_second_factor,
            second_factor_above: state.ancestry(id).skip(1).any(|t| t.require_second_factor),
            second_factor_switch: Allowed::of(
                state,
                actor,
                &Command::Admin(AdminCommand::RequireSecondFactor {
                    team: id,
                    required: !team.require_second_factor,
                }),
                now,
            ),
        });
        for child in children(state, Some(id)).into_iter().rev() {
            stack.push((child, depth + 1));
        }
    }
    out
}

/// The groups directly below `parent` (the top ones for `None`), by name.
fn children(state: &State, parent: Option<TeamId>) -> Vec<TeamId> {
    let mut below: Vec<_> = state
        .teams
        .values()
        .filter(|t| t.parent == parent)
        .map(|t| (t.name.to_lowercase(), t.id))
        .collect();
    below.sort();
    below.into_iter().map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::label;
    use tandem_core::domain::Permission;

    #[test]
    fn permissions_read_as_words() {
        assert_eq!(label(Permission::RemoteControl), "Remote control");
        assert_eq!(
            label(Permission::ChatAtSessionStart),
            "Chat at session start"
        );
    }
}
