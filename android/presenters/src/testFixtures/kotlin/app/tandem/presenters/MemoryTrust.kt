package app.tandem.presenters

/** Pinned fingerprints in memory, for tests. */
class MemoryTrust : TrustStore {
    val pins = mutableMapOf<String, String>()
    override fun pinned(address: String) = pins[address]
    override fun pin(address: String, fingerprint: String) {
        pins[address] = fingerprint
    }
}
