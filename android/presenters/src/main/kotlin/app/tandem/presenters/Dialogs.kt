package app.tandem.presenters

import app.tandem.console.api.ActionKind
import app.tandem.console.api.Named
import app.tandem.console.api.Target

/** A choice in a picker: what it aims at, and how it reads (with presence for technicians). */
data class Option(val target: Target, val label: String, val detail: String = "")

/** What a flyout menu line opened, until it is done or cancelled. */
sealed interface Dialog {
    /** Choose one of [options] for [action] (transfer, request help, Any Representative, cancel, pin…). */
    data class Pick(val title: String, val action: ActionKind, val options: List<Option>) : Dialog

    /** Share with a team member: the team first, then its members with their presence. */
    data class ShareTeams(val teams: List<Option>) : Dialog
    data class ShareMembers(val team: String, val members: List<Option>) : Dialog

    /** Remove a member, after confirming (they leave the session at once). */
    data class ConfirmRemove(val member: Option) : Dialog

    data class ProvideCredentials(val username: String = "", val password: String = "") : Dialog {
        override fun toString() = "ProvideCredentials(username=$username)"
    }

    /** Invite an external user: the security policy (with its full description), name, comments, e-mail. */
    data class InviteExternal(
        val policies: List<PolicyChoice>,
        val policy: Long? = null,
        val name: String = "",
        val comments: String = "",
        val email: String = "",
    ) : Dialog {
        val canSend: Boolean get() = policy != null && name.isNotBlank()
    }

    /** The link to give the external user: copy, share, or (X3) already mailed by the appliance. */
    data class ExternalLinkReady(val link: String, val policy: String, val mailedTo: String?) : Dialog

    data class DeployButton(
        val name: String,
        val validHours: Int,
        val profiles: List<Named>,
        val queues: List<Option>,
        val profile: Named?,
        val queue: Option?,
    ) : Dialog

    /** End or Hold for the owner; Leave for others. */
    /** A question before an action that cannot be taken back: closing the session (C1–C3), removing a support button (B1), unpinning a jump client (J1). */
    data class ConfirmClose(val action: ActionKind, val question: String, val title: String = "Close Session") : Dialog
}

data class PolicyChoice(val id: Long, val name: String, val description: String)
