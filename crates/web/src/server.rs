//! The accept loop. Each connection is served by hyper's HTTP/1 with a
//! header-read timeout and an idle timeout, and at most
//! [`Limits::max_connections`] are served at once; the rest wait in the
//! listener's queue until one ends.
//!
//! A new connection is handed to hyper only once its first request head has
//! arrived: until then it costs a few hundred bytes rather than hyper's
//! buffers, so thousands of clients sending half a header cost little memory.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use crate::Limits;

/// How long open connections may take to finish once shutdown begins.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serve `app` on `listener` within `limits` until `shutdown` completes,
/// then let open requests finish (for up to [`SHUTDOWN_GRACE`]).
pub(crate) async fn run(
    listener: TcpListener,
    app: Router,
    limits: &Limits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    if !is_connection_error(&e) {
                        // Out of file descriptors, most likely: wait for some to close.
                        tracing::error!("accepting a connection failed: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let mut request = request.map(axum::body::Body::new);
            request.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let (header_read_timeout, idle_timeout) = (limits.header_read_timeout, limits.idle_timeout);
        tokio::spawn(async move {
            let head = match first_head(&stream, header_read_timeout).await {
                Ok(Some(head)) => head,
                Ok(None) => return,
                Err(e) => {
                    tracing::debug!("connection from {peer} ended before a request: {e}");
                    return;
                }
            };
            let io = TokioIo::new(Watched::new(Prefixed::new(head, stream), idle_timeout));
            let connection = watcher.watch(builder.serve_connection(io, service));
            if let Err(e) = connection.await {
                tracing::debug!("connection from {peer} ended: {e}");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
    Ok(())
}

/// The longest request head read before hyper takes over (hyper answers a
/// longer one itself).
const HEAD_LIMIT: usize = 16 * 1024;

/// Read a new connection's bytes until its first request head is complete
/// (a blank line), [`HEAD_LIMIT`] bytes have come, or `timeout` passes.
/// None when the client closed first or the time ran out.
async fn first_head(stream: &TcpStream, timeout: Duration) -> io::Result<Option<Vec<u8>>> {
    let deadline = Instant::now() + timeout;
    let mut head = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, stream.readable()).await {
            Ok(ready) => ready?,
            Err(_) => return Ok(None),
        }
        let mut chunk = [0u8; 2048];
        let read = match stream.try_read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
            Err(e) => return Err(e),
        };
        let searched_from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..read]);
        let complete = head[searched_from..].windows(4).any(|w| w == b"\r\n\r\n");
        if complete || head.len() >= HEAD_LIMIT {
            return Ok(Some(head));
        }
    }
}

/// A stream whose first bytes, already read, are given again before the rest.
struct Prefixed {
    head: Vec<u8>,
    given: usize,
    stream: TcpStream,
}

impl Prefixed {
    fn new(head: Vec<u8>, stream: TcpStream) -> Self {
        Self {
            head,
            given: 0,
            stream,
        }
    }
}

impl AsyncRead for Prefixed {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.given < this.head.len() {
            let n = buf.remaining().min(this.head.len() - this.given);
            buf.put_slice(&this.head[this.given..this.given + n]);
            this.given += n;
            if this.given == this.head.len() {
                this.head = Vec::new();
                this.given = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Prefixed {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Errors of one connection (the client gave up before it was accepted),
/// after which accepting the next goes on at once.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// A connection that fails with `TimedOut` once nothing has been read or
/// written on it for its idle timeout while the server waits on it.
struct Watched {
    stream: Prefixed,
    timeout: Duration,
    timer: Pin<Box<Sleep>>,
    armed: bool,
}

impl Watched {
    fn new(stream: Prefixed, timeout: Duration) -> Self {
        Self {
            stream,
            timeout,
            timer: Box::pin(tokio::time::sleep(timeout)),
            armed: false,
        }
    }

    /// After progress: start counting afresh at the next wait.
    fn progressed<T>(&mut self, ready: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        self.armed = false;
        ready
    }

    /// While waiting: `TimedOut` once the idle timeout has passed since the
    /// wait began.
    fn waiting<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        if !self.armed {
            self.armed = true;
            let deadline = Instant::now() + self.timeout;
            self.timer.as_mut().reset(deadline);
        }
        match self.timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the connection was idle too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Pending => this.waiting(cx),
            ready => this.progressed(ready),
        }
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write(cx, buf) {
            Poll::Pending => this.waiting(cx),
            ready => this.progressed(ready),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.stream).poll_write_vectored(cx, bufs) {
            Poll::Pending => this.waiting(cx),
            ready => this.progressed(ready),
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
