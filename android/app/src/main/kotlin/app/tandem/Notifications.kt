package app.tandem

import android.app.NotificationChannel
import android.app.NotificationManager
import android.app.PendingIntent
import android.content.Context
import android.content.Intent
import androidx.core.app.NotificationCompat
import app.tandem.console.api.ConsoleSnapshot
import app.tandem.console.api.Participant

/** The notification channels, and the notification of an incoming invitation. */
object Notifications {
    const val LIVE = "live"
    const val INVITATIONS = "invitations"
    const val MESSAGES = "messages"

    fun createChannels(context: Context) {
        val manager = context.getSystemService(NotificationManager::class.java)
        manager.createNotificationChannel(NotificationChannel(LIVE, "Connection", NotificationManager.IMPORTANCE_LOW))
        manager.createNotificationChannel(NotificationChannel(INVITATIONS, "Invitations", NotificationManager.IMPORTANCE_HIGH))
        manager.createNotificationChannel(NotificationChannel(MESSAGES, "Customer messages", NotificationManager.IMPORTANCE_HIGH))
    }

    /** One notification per new incoming invitation; tapping it opens the app where it can be answered. */
    fun invitations(context: Context, snapshot: ConsoleSnapshot, seen: MutableSet<Long>) {
        val manager = context.getSystemService(NotificationManager::class.java)
        val open = PendingIntent.getActivity(context, 0, Intent(context, MainActivity::class.java), PendingIntent.FLAG_IMMUTABLE)
        for (invitation in snapshot.incoming.filter { seen.add(it.id) }) {
            val inviter = snapshot.technician(invitation.inviter)?.name ?: "A technician"
            val customer = snapshot.session(invitation.session)?.customer?.name ?: "a customer"
            // Tagged: the foreground service's own notification has id 1 and must stay.
            manager.notify(
                "invitation",
                invitation.id.toInt(),
                NotificationCompat.Builder(context, INVITATIONS)
                    .setSmallIcon(android.R.drawable.stat_notify_chat)
                    .setContentTitle("$inviter invites you")
                    .setContentText("Support session with $customer")
                    .setContentIntent(open)
                    .setAutoCancel(true)
                    .build(),
            )
        }
    }

    /**
     * What customers said in the technician's sessions since [after] (an event number), one
     * notification per session showing its newest line, while the app is not on screen. Returns
     * the newest event number seen, the next call's [after].
     */
    fun customerMessages(context: Context, snapshot: ConsoleSnapshot, after: Long, inForeground: Boolean): Long {
        val fresh = snapshot.sessions.filter { !it.ended }.associateWith { s ->
            s.chat.filter { it.seq > after && it.from == Participant.Customer }
        }.filterValues { it.isNotEmpty() }
        val newest = snapshot.sessions.flatMap { it.chat }.maxOfOrNull { it.seq }?.coerceAtLeast(after) ?: after
        if (inForeground) return newest
        val manager = context.getSystemService(NotificationManager::class.java)
        for ((session, lines) in fresh) {
            val open = PendingIntent.getActivity(
                context, session.id.toInt(),
                Intent(context, MainActivity::class.java).putExtra(MainActivity.OPEN_SESSION, session.id),
                PendingIntent.FLAG_IMMUTABLE or PendingIntent.FLAG_UPDATE_CURRENT,
            )
            manager.notify(
                "message",
                session.id.toInt(),
                NotificationCompat.Builder(context, MESSAGES)
                    .setSmallIcon(android.R.drawable.stat_notify_chat)
                    .setContentTitle(session.customer.name)
                    .setContentText(lines.last().text)
                    .setNumber(lines.size)
                    .setContentIntent(open)
                    .setAutoCancel(true)
                    .build(),
            )
        }
        return newest
    }
}
