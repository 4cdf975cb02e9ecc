package app.tandem.presenters

import app.tandem.console.api.ActionKind
import app.tandem.console.api.ActionKind.*
import app.tandem.console.api.MenuAction

/**
 * One line of a session's flyout menu. A group (Elevate, Transfer, Share Session, External, Close
 * Session) opens its children; a leaf carries out [action]. Greyed lines say why (A3): the
 * reason and rule come from the Rust rules engine, never from Kotlin.
 */
data class MenuItem(
    val label: String,
    val enabled: Boolean,
    val reason: String?,
    val action: ActionKind? = null,
    val children: List<MenuItem> = emptyList(),
)

private fun shownReason(a: MenuAction?): String? = a?.reason?.let { r -> a.rule?.let { "$r ($it)" } ?: r }

/** The flyout menu for a session, from the rules engine's menu for it. */
fun flyoutMenu(actions: List<MenuAction>, chatEnabled: Boolean): List<MenuItem> {
    val byKind = actions.associateBy { it.kind }
    fun leaf(label: String, kind: ActionKind) = byKind[kind].let { a ->
        MenuItem(label, a?.enabled == true, if (a?.enabled == true) null else shownReason(a) ?: "Not available here", kind)
    }
    fun group(label: String, vararg children: MenuItem) = MenuItem(
        label = label,
        enabled = children.any { it.enabled },
        reason = if (children.any { it.enabled }) null else children.first().reason,
        children = children.toList(),
    )
    return listOf(
        group("Elevate", leaf("Prompt Customer", ELEVATE_PROMPT_CUSTOMER), leaf("Provide Credentials", ELEVATE_PROVIDE_CREDENTIALS)),
        group("Transfer", leaf("To a team queue", TRANSFER_TO_TEAM), leaf("To a technician", TRANSFER_TO_TECHNICIAN)),
        group(
            "Share Session",
            leaf("Request Help", REQUEST_HELP),
            leaf("Invite a team member", SHARE_WITH_TECHNICIAN),
            leaf("Any Representative", SHARE_ANY_REPRESENTATIVE),
        ),
        group("External", leaf("Invite External Representative", INVITE_EXTERNAL)),
        leaf("Cancel Invitation", CANCEL_INVITATION),
        leaf("Remove Member", REMOVE_MEMBER),
        leaf("Deploy Support Button", DEPLOY_SUPPORT_BUTTON),
        leaf("Remove Support Button", REMOVE_SUPPORT_BUTTON),
        leaf("Pin Jump Client", PIN_JUMP_CLIENT),
        leaf("Unpin Jump Client", UNPIN_JUMP_CLIENT),
        leaf(if (chatEnabled) "Turn chat off" else "Turn chat on", TOGGLE_CHAT),
        group("Close Session", leaf("End Session", END_SESSION), leaf("Hold", HOLD_SESSION), leaf("Leave Session", LEAVE_SESSION)),
    )
}

/** The session's tools (tabs and buttons beside the menu), greyed the same way. */
fun sessionTools(actions: List<MenuAction>): List<MenuItem> {
    val byKind = actions.associateBy { it.kind }
    return listOf(
        "View screen" to VIEW_SCREEN,
        "Control screen" to CONTROL_SCREEN,
        "Command shell" to COMMAND_SHELL,
        "System information" to SYSTEM_INFO,
        "Upgrade to full client" to UPGRADE_TO_FULL_CLIENT,
    ).map { (label, kind) ->
        val a = byKind[kind]
        MenuItem(label, a?.enabled == true, if (a?.enabled == true) null else shownReason(a) ?: "Not available here", kind)
    }
}
