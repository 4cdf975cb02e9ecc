package app.tandem

import android.app.Service
import android.content.Intent
import android.content.pm.ServiceInfo
import android.os.IBinder
import androidx.core.app.NotificationCompat
import androidx.core.app.ServiceCompat
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.drop
import kotlinx.coroutines.flow.filter
import kotlinx.coroutines.flow.filterNotNull
import kotlinx.coroutines.flow.flatMapLatest
import kotlinx.coroutines.launch

/**
 * Keeps the signed-in console (its live connection and any session) going while the app is in
 * the background, and notifies incoming invitations. A foreground service of the special-use
 * type: remote support sessions fit none of the fixed types.
 */
class SessionService : Service() {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Main)

    override fun onCreate() {
        super.onCreate()
        val seen = mutableSetOf<Long>()
        val app = application as TandemApplication
        // Chat already there when the service starts is not news: only what comes after it.
        var heard: Long? = null
        scope.launch {
            @OptIn(kotlinx.coroutines.ExperimentalCoroutinesApi::class)
            app.console.filterNotNull().flatMapLatest { it.updates() }
                .collect { snapshot ->
                    Notifications.invitations(this@SessionService, snapshot, seen)
                    val after = heard ?: snapshot.sessions.flatMap { it.chat }.maxOfOrNull { it.seq } ?: 0L
                    heard = Notifications.customerMessages(this@SessionService, snapshot, after, app.inForeground.value)
                }
        }
        // Signed out: nothing left to keep alive.
        scope.launch {
            app.console.drop(1).filter { it == null }.collect { stopSelf() }
        }
    }

    override fun onStartCommand(intent: Intent?, flags: Int, startId: Int): Int {
        val notification = NotificationCompat.Builder(this, Notifications.LIVE)
            .setSmallIcon(android.R.drawable.stat_sys_data_bluetooth)
            .setContentTitle("Tandem is connected")
            .setContentText("Sessions and invitations stay live in the background.")
            .setOngoing(true)
            .build()
        ServiceCompat.startForeground(this, 1, notification, ServiceInfo.FOREGROUND_SERVICE_TYPE_SPECIAL_USE)
        // Restarted after the process died: nobody is signed in any more, so nothing to keep.
        if ((application as TandemApplication).console.value == null) stopSelf()
        return START_NOT_STICKY
    }

    override fun onDestroy() {
        scope.cancel()
        super.onDestroy()
    }

    override fun onBind(intent: Intent?): IBinder? = null
}
