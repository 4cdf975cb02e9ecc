//! A userspace link shaper: a TCP proxy that carries each direction at a fixed rate with a fixed
//! one-way delay, as a phone's mobile data does (issue 15: 2 Mbit/s, 80 ms round trip). Bytes
//! beyond what the link has carried wait in its queue, up to [`QUEUE`], as they would in a
//! cellular network's buffers; past that, the proxy stops reading and TCP pushes back.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Bytes a direction holds before it stops reading: two seconds of a 2 Mbit/s link.
pub const QUEUE: usize = 512 * 1024;

/// One direction's rate and delay.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// Bits per second.
    pub bits_per_second: u64,
    /// One-way delay (half the round trip).
    pub delay: Duration,
}

impl Link {
    /// How long the link takes to carry `bytes`.
    fn carrying(self, bytes: usize) -> Duration {
        let bits = u64::try_from(bytes).unwrap_or(u64::MAX).saturating_mul(8);
        Duration::from_nanos(bits.saturating_mul(1_000_000_000) / self.bits_per_second.max(1))
    }
}

/// The proxy; stops accepting when dropped.
#[derive(Debug)]
pub struct Shaper {
    /// Where to connect instead of the upstream.
    pub addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl Drop for Shaper {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl Shaper {
    /// A shaped path to `upstream`.
    ///
    /// # Errors
    /// When no loopback port is free.
    pub async fn start(upstream: SocketAddr, link: Link) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let accept = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let Ok(outbound) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = (inbound.set_nodelay(true), outbound.set_nodelay(true));
                    let (in_read, in_write) = inbound.into_split();
                    let (out_read, out_write) = outbound.into_split();
                    tokio::join!(
                        carry(in_read, out_write, link),
                        carry(out_read, in_write, link)
                    );
                });
            }
        });
        Ok(Self { addr, accept })
    }

    /// The endpoint through this link.
    ///
    /// # Errors
    /// Never for a started shaper.
    pub fn endpoint(
        &self,
        fingerprint: &str,
    ) -> Result<tandem_core::client::Endpoint, tandem_core::client::ClientError> {
        tandem_core::client::Endpoint::new(
            &format!("https://localhost:{}/", self.addr.port()),
            fingerprint,
        )
    }
}

/// One direction: each chunk read leaves once the link has carried those before it, and
/// arrives `delay` later.
async fn carry(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, link: Link) {
    let room = Arc::new(Semaphore::new(QUEUE));
    let (queued, mut arriving) = mpsc::unbounded_channel::<(Instant, Vec<u8>, usize)>();
    let reader = {
        let room = Arc::clone(&room);
        async move {
            let mut free_at = Instant::now();
            let mut buffer = vec![0u8; 16 * 1024];
            while let Ok(n @ 1..) = from.read(&mut buffer).await {
                // Waits while the queue is full: the sender's TCP sees the pushback.
                let Ok(permit) = room
                    .acquire_many(u32::try_from(n).unwrap_or(u32::MAX))
                    .await
                else {
                    break;
                };
                permit.forget();
                free_at = free_at.max(Instant::now()) + link.carrying(n);
                if queued
                    .send((free_at + link.delay, buffer[..n].to_vec(), n))
                    .is_err()
                {
                    break;
                }
            }
        }
    };
    let writer = async move {
        while let Some((at, bytes, n)) = arriving.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&bytes).await.is_err() {
                break;
            }
            room.add_permits(n);
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_megabits_carry_250_kilobytes_a_second() {
        let link = Link {
            bits_per_second: 2_000_000,
            delay: Duration::from_millis(40),
        };
        assert_eq!(link.carrying(250_000), Duration::from_secs(1));
    }
}
