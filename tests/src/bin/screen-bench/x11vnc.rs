//! The same-run comparison: Debian's x11vnc sharing the same display, watched by an RFB client
//! (vnc-rs, asking for Tight, ZRLE, CopyRect and Raw, lossless) that keeps the framebuffer and
//! reads the clock from it as the console core's viewer does. The client pulls, as VNC viewers
//! do: it asks for the next update once it has taken in everything that arrived.
use crate::{BenchError, Running, Scene, WAIT, clock_at, cpu};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tandem_core::client::Received;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use vnc::{PixelFormat, Rect, VncConnector, VncEncoding, VncEvent, X11Event};

/// How long the client waits for more of an update before it takes the picture as complete.
const QUIET: Duration = Duration::from_millis(1);

/// x11vnc on `display`, listening on loopback only, without a password (the bench's own display).
pub fn start(display: &str) -> Result<(Running, u16), BenchError> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| BenchError::Io("a free port", e))?
        .port();
    let child = std::process::Command::new("x11vnc")
        .args(["-display", display, "-rfbport", &port.to_string()])
        .args([
            "-localhost",
            "-nopw",
            "-shared",
            "-forever",
            "-quiet",
            "-norc",
            "-ncache",
            "0",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| BenchError::Io("x11vnc (scripts/setup installs it)", e))?;
    Ok((Running(child), port))
}

/// A TCP stream that counts the bytes it reads.
struct Counted {
    inner: TcpStream,
    read: Arc<AtomicU64>,
}

impl AsyncRead for Counted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        polled
    }
}

impl AsyncWrite for Counted {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The framebuffer as the RFB client keeps it: B G R A.
struct Framebuffer {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Framebuffer {
    fn put(&mut self, rect: &Rect, data: &[u8]) {
        let (x, y, w) = (
            usize::from(rect.x),
            usize::from(rect.y),
            usize::from(rect.width),
        );
        for (row, line) in data.chunks_exact(w * 4).enumerate() {
            let at = ((y + row) * self.width + x) * 4;
            if let Some(target) = self.pixels.get_mut(at..at + w * 4) {
                target.copy_from_slice(line);
            }
        }
    }

    fn copy(&mut self, to: &Rect, from: &Rect) {
        let (w, h) = (usize::from(from.width), usize::from(from.height));
        let mut block = Vec::with_capacity(w * h * 4);
        for row in 0..h {
            let at = ((usize::from(from.y) + row) * self.width + usize::from(from.x)) * 4;
            block.extend_from_slice(self.pixels.get(at..at + w * 4).unwrap_or(&[]));
        }
        self.put(to, &block);
    }

    /// The clock's value (its colour), read at its centre.
    fn clock(&self) -> u32 {
        let (x, y) = clock_at((self.width, self.height), (self.width, self.height));
        let at = (y * self.width + x) * 4;
        self.pixels.get(at..at + 3).map_or(0, |p| {
            u32::from(p[2]) << 16 | u32::from(p[1]) << 8 | u32::from(p[0])
        })
    }
}

/// Watch x11vnc at `addr` for `seconds`, from its first whole picture on: updates (all that
/// arrived before the client found nothing more to read and asked again: an update split by a
/// pause on the link counts twice, which favours x11vnc), bytes, x11vnc's CPU, and the clock's
/// age whenever a new one shows.
pub async fn measure(
    name: String,
    addr: std::net::SocketAddr,
    x11vnc: u32,
    seconds: f64,
    epoch: Instant,
) -> Result<Scene, BenchError> {
    let failed = |e: &dyn std::fmt::Display| BenchError::Display(format!("the RFB client: {e}"));
    let read = Arc::new(AtomicU64::new(0));
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|e| BenchError::Io("x11vnc", e))?;
    let _ = tcp.set_nodelay(true);
    let stream = Counted {
        inner: tcp,
        read: Arc::clone(&read),
    };
    let vnc = VncConnector::new(stream)
        .set_auth_method(async move { Ok(String::new()) })
        .add_encoding(VncEncoding::Tight)
        .add_encoding(VncEncoding::Zrle)
        .add_encoding(VncEncoding::CopyRect)
        .add_encoding(VncEncoding::Raw)
        .allow_shared(true)
        .set_pixel_format(PixelFormat::bgra())
        .build()
        .map_err(|e| failed(&e))?
        .try_start()
        .await
        .map_err(|e| failed(&e))?
        .finish()
        .map_err(|e| failed(&e))?;
    let mut fb = Framebuffer {
        width: 0,
        height: 0,
        pixels: Vec::new(),
    };
    // The whole picture first, then the measured stretch.
    let mut start: Option<(Instant, u64, Duration)> = None;
    let mut latency = Vec::new();
    let (mut pictures, mut last_clock, mut got) = (0u64, 0u32, false);
    loop {
        let now = Instant::now();
        if start.is_some_and(|(started, _, _)| now.duration_since(started).as_secs_f64() >= seconds)
        {
            break;
        }
        let event = if got {
            // An update's rectangles follow each other closely: none for QUIET means the
            // picture is complete.
            match tokio::time::timeout(QUIET, vnc.recv_event()).await {
                Ok(event) => Some(event.map_err(|e| failed(&e))?),
                Err(_) => None,
            }
        } else {
            // Waiting for the next update, until the scene's end (or the first picture's wait).
            let wait = start.map_or(WAIT, |(started, _, _)| {
                (started + Duration::from_secs_f64(seconds)).saturating_duration_since(now)
            });
            match tokio::time::timeout(wait, vnc.recv_event()).await {
                Ok(event) => Some(event.map_err(|e| failed(&e))?),
                Err(_) if start.is_none() => {
                    return Err(BenchError::Display("x11vnc sent no picture".into()));
                }
                Err(_) => None,
            }
        };
        match event {
            Some(VncEvent::SetResolution(screen)) => {
                (fb.width, fb.height) = (usize::from(screen.width), usize::from(screen.height));
                fb.pixels = vec![0; fb.width * fb.height * 4];
            }
            Some(VncEvent::RawImage(rect, data)) => {
                fb.put(&rect, &data);
                got = true;
            }
            Some(VncEvent::Copy(to, from)) => {
                fb.copy(&to, &from);
                got = true;
            }
            Some(VncEvent::Error(e)) => return Err(failed(&e)),
            Some(_) => {}
            None if got => {
                // Everything that arrived is in: a picture; ask for the next.
                got = false;
                let clock = fb.clock();
                if let Some((started, _, _)) = start {
                    pictures += 1;
                    if clock != last_clock && clock != 0 {
                        let drawn = Duration::from_millis(u64::from(clock));
                        if let Some(age) = epoch.elapsed().checked_sub(drawn) {
                            latency.push((started.elapsed(), age));
                        }
                    }
                } else {
                    start = Some((Instant::now(), read.load(Ordering::Relaxed), cpu(x11vnc)));
                }
                last_clock = clock;
                vnc.input(X11Event::Refresh).await.map_err(|e| failed(&e))?;
            }
            None => {}
        }
    }
    let (started, bytes_before, cpu_before) =
        start.ok_or_else(|| BenchError::Display("x11vnc sent no picture".into()))?;
    let _ = vnc.close().await;
    Ok(Scene {
        name,
        received: Received {
            frames: pictures,
            bytes: read.load(Ordering::Relaxed) - bytes_before,
            ..Received::default()
        },
        customer_cpu: cpu(x11vnc).saturating_sub(cpu_before),
        elapsed: started.elapsed(),
        latency,
    })
}
