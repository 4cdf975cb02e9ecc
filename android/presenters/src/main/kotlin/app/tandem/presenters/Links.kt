package app.tandem.presenters

/**
 * What an Android App Link into the app points at: `https://<appliance>/invitations/<id>` (the
 * link in an S4 invitation mail). Null for anything else, which the app leaves to the browser.
 */
fun invitationFromLink(link: String): Long? =
    Regex("^https://[^/]+(?::\\d+)?/invitations/(\\d{1,18})/?(?:[?#].*)?$").find(link.trim())?.groupValues?.get(1)?.toLongOrNull()
