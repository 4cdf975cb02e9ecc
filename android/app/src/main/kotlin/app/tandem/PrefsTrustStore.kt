package app.tandem

import android.content.Context
import app.tandem.presenters.TrustStore

/** Pinned certificate fingerprints, kept in the app's private preferences. */
class PrefsTrustStore(context: Context) : TrustStore {
    private val prefs = context.getSharedPreferences("pinned-certificates", Context.MODE_PRIVATE)
    override fun pinned(address: String): String? = prefs.getString(address, null)
    override fun pin(address: String, fingerprint: String) = prefs.edit().putString(address, fingerprint).apply()
}
