//! This library's own tokio runtime: the client's networking needs one, and the foreign side
//! (Kotlin coroutines) only polls futures.
use crate::error::TandemError;
use std::future::Future;
use std::sync::LazyLock;

#[allow(clippy::expect_used)]
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("tandem-io")
        .enable_all()
        .build()
        .expect("a tokio runtime can be built (threads and timers are available)")
});

/// Run a future on the runtime and wait for it from any executor.
pub(crate) async fn run<T, F>(future: F) -> Result<T, TandemError>
where
    T: Send + 'static,
    F: Future<Output = Result<T, TandemError>> + Send + 'static,
{
    RUNTIME
        .spawn(future)
        .await
        .map_err(|e| TandemError::Internal {
            detail: e.to_string(),
        })?
}

/// Start a background task on the runtime.
pub(crate) fn spawn<F: Future<Output = ()> + Send + 'static>(
    future: F,
) -> tokio::task::JoinHandle<()> {
    RUNTIME.spawn(future)
}
