//! Logs: on Android through `android_logger` (logcat, tag "tandem"); elsewhere the host decides.
/// Send the library's logs to the platform's log. Call once at start; later calls do nothing.
#[uniffi::export]
pub fn init_logging() {
    #[cfg(target_os = "android")]
    {
        android_logger::init_once(
            android_logger::Config::default()
                .with_max_level(log::LevelFilter::Info)
                .with_tag("tandem"),
        );
    }
}
