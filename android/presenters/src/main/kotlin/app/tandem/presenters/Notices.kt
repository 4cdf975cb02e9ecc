package app.tandem.presenters

import app.tandem.console.api.ConsoleSnapshot

/**
 * The notices that arrived since this screen opened (the appliance tells only this technician:
 * a mail that could not be sent), so each is shown once.
 */
internal class NoticeCursor(start: ConsoleSnapshot) {
    private var seen = start.notices.maxOfOrNull { it.seq } ?: Long.MIN_VALUE

    /** The newest notice not shown yet, if any. */
    fun fresh(s: ConsoleSnapshot): String? {
        val new = s.notices.filter { it.seq > seen }
        if (new.isEmpty()) return null
        seen = new.maxOf { it.seq }
        return new.last().text
    }
}
