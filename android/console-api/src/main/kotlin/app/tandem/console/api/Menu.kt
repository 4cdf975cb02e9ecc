package app.tandem.console.api

/** Every action of a session's flyout menu, as the rules engine names them. */
enum class ActionKind {
    SEND_CHAT, TOGGLE_CHAT, PIN_CHAT, VIEW_SCREEN, CONTROL_SCREEN, COMMAND_SHELL, SYSTEM_INFO,
    UPGRADE_TO_FULL_CLIENT, ELEVATE_PROMPT_CUSTOMER, ELEVATE_PROVIDE_CREDENTIALS,
    TRANSFER_TO_TEAM, TRANSFER_TO_TECHNICIAN, SHARE_WITH_TECHNICIAN, SHARE_ANY_REPRESENTATIVE,
    REQUEST_HELP, INVITE_EXTERNAL, CANCEL_INVITATION, REMOVE_MEMBER, DEPLOY_SUPPORT_BUTTON,
    REMOVE_SUPPORT_BUTTON, PIN_JUMP_CLIENT, UNPIN_JUMP_CLIENT, END_SESSION, HOLD_SESSION, LEAVE_SESSION,
}

/** Whom or what an action may be aimed at. */
sealed interface Target {
    data class OfTeam(val id: Long) : Target
    data class OfTechnician(val id: Long) : Target
    data class OfIssue(val id: Long) : Target
    data class OfPolicy(val id: Long) : Target
    data class OfInvitation(val id: Long) : Target
    data class Member(val participant: Participant) : Target
    data class OfQueue(val queue: Queue) : Target
    data class JumpPersonal(val technician: Long) : Target
    data class JumpGroup(val group: Long) : Target
}

/**
 * One line of the menu, computed by the Rust rules engine (the same code the appliance enforces):
 * greyed with its [reason] and [rule] where not allowed (A3), with the [targets] it may be aimed at.
 */
data class MenuAction(
    val kind: ActionKind,
    val enabled: Boolean,
    val reason: String?,
    val rule: String?,
    /** What would make it possible, e.g. Upgrade for a click-to-chat customer (E1). */
    val remedy: ActionKind?,
    val targets: List<Target>,
)
