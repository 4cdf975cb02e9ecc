package app.tandem.console.api

/** What a technician asks of a session; the appliance checks each against the rules. */
sealed interface SessionCommand {
    data class AcceptFromQueue(val session: Long) : SessionCommand
    data class SendChat(val session: Long, val text: String) : SessionCommand
    data class SetChat(val session: Long, val enabled: Boolean) : SessionCommand
    data class SetChatPinned(val session: Long, val pinned: Boolean) : SessionCommand
    data class StartScreen(val session: Long, val control: Boolean) : SessionCommand
    data class StopScreen(val session: Long) : SessionCommand
    data class StartShell(val session: Long) : SessionCommand
    data class StopShell(val session: Long) : SessionCommand
    data class ViewSystemInfo(val session: Long) : SessionCommand
    data class UpgradeToFullClient(val session: Long) : SessionCommand
    data class ElevatePromptCustomer(val session: Long) : SessionCommand
    data class ElevateWithCredentials(val session: Long, val username: String, val password: String) : SessionCommand {
        override fun toString() = "ElevateWithCredentials(session=$session, username=$username)"
    }
    data class TransferToTeam(val session: Long, val team: Long) : SessionCommand
    data class TransferToTechnician(val session: Long, val technician: Long) : SessionCommand
    data class InviteTechnician(val session: Long, val technician: Long) : SessionCommand
    data class InviteAnyRepresentative(val session: Long, val team: Long) : SessionCommand
    data class RequestHelp(val session: Long, val issue: Long) : SessionCommand
    data class CancelInvitation(val invitation: Long) : SessionCommand
    data class AcceptInvitation(val invitation: Long) : SessionCommand
    data class DeclineInvitation(val invitation: Long) : SessionCommand
    data class RemoveMember(val session: Long, val member: Participant) : SessionCommand
    data class DeploySupportButton(
        val session: Long,
        val name: String,
        val expiresAtMs: Long,
        val profile: Long,
        val queue: Queue,
    ) : SessionCommand
    data class RemoveSupportButton(val session: Long) : SessionCommand
    data class PinJumpClient(val session: Long, val location: Target) : SessionCommand
    data class UnpinJumpClient(val session: Long) : SessionCommand
    data class Hold(val session: Long) : SessionCommand
    data class End(val session: Long) : SessionCommand
    data class Leave(val session: Long) : SessionCommand
    data class SetExtendedAvailability(val on: Boolean) : SessionCommand
}
