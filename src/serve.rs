//! `initbook serve`: build, serve the site from memory, rebuild when the book changes, and tell
//! open pages to reload.
//!
//! - The site is served from the last good build held in memory; nothing is written to
//!   `output/`, and the live-reload script is added to pages only as they are served.
//! - `content/` and `templates/` are watched (debounced); a rebuild uses the result cache, so
//!   editing prose re-runs nothing, and is skipped when none of the files the last good build
//!   read has changed ([`Rebuilder`]): an editor's swap file or a save without edits costs a
//!   replay of those reads, and open pages are not reloaded.
//! - Pages hold a server-sent-events connection (`/__initbook/events`): `reload` after a good
//!   rebuild, `build-error` with the diagnostics after a failed one. While the last build failed,
//!   every page is served with the error shown over it, and the last good site underneath.
//! - HTTP/1.1 over hyper on a small tokio runtime, built to outlast misbehaving clients: at most
//!   [`MAX_CONNECTIONS`] connections at once (more are closed on arrival), headers within
//!   [`HEADER_TIMEOUT`], connections other than event streams closed after
//!   [`CONNECTION_LIFETIME`], at most [`MAX_EVENT_STREAMS`] event streams. When the process runs
//!   out of file descriptors it stops accepting until connections close, then serves again.
//! - GET and HEAD only; any other method gets 405 with `Allow: GET, HEAD`.
//! - Only paths of the built site are served. Requests with `..`, encoded or not, backslashes or
//!   absolute paths are refused with 403; since the site lives in memory, nothing outside it
//!   (symlinks included) is ever read.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full, channel::Channel};
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, broadcast};

use crate::cache::Cache;
use crate::error::{Error, Result};
use crate::site::{Rebuild, Rebuilder, Site};

/// The path pages listen on for rebuild events.
pub const EVENTS_PATH: &str = "/__initbook/events";
/// How long the watcher waits for a burst of file events to settle before rebuilding.
pub const DEBOUNCE: Duration = Duration::from_millis(40);
/// Connections served at once; more are closed as soon as they are accepted. A browser opens a
/// handful per page, and one event stream per open tab.
pub const MAX_CONNECTIONS: usize = 256;
/// Event streams open at once (each holds a connection for as long as its page is open).
pub const MAX_EVENT_STREAMS: usize = 64;
/// A client must send a request's headers within this time, or the connection is closed.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection that is not an event stream is closed after this long, whatever it is doing.
pub const CONNECTION_LIFETIME: Duration = Duration::from_secs(60);
/// How often an idle event stream sends a comment, to find closed connections.
const PING: Duration = Duration::from_secs(15);

/// What `serve` needs to know.
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub cache: Cache,
}

/// What the server shows: the last good site, and the last build's error if it failed.
#[derive(Default)]
struct State {
    site: Option<Site>,
    error: Option<String>,
}

/// A running server. Dropping it does not stop it; it runs until the process ends.
pub struct Server {
    pub address: SocketAddr,
    /// Messages for the terminal: builds, errors. The CLI prints them; tests read them.
    pub log: Receiver<String>,
}

/// One event for the pages: `(name, data)`.
type PageEvent = (&'static str, String);

struct Shared {
    state: Mutex<State>,
    events: broadcast::Sender<PageEvent>,
    event_streams: Arc<Semaphore>,
    log: Mutex<Sender<String>>,
}

impl Shared {
    fn say(&self, message: String) {
        let _ = self.log.lock().expect("log lock").send(message);
    }

    fn broadcast(&self, name: &'static str, data: String) {
        // No open page is not an error.
        let _ = self.events.send((name, data));
    }
}

/// Builds the book, starts the HTTP server and the watcher, and returns once it is listening.
/// The first build must succeed; later failures keep the last good site.
pub fn start(options: ServeOptions) -> Result<Server> {
    let (log_sender, log) = mpsc::channel();
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        events: broadcast::channel(16).0,
        event_streams: Arc::new(Semaphore::new(MAX_EVENT_STREAMS)),
        log: Mutex::new(log_sender),
    });

    let started = Instant::now();
    let mut rebuilder = Rebuilder::new(&options.root, options.cache.clone());
    let Rebuild::Built(report) = rebuilder.rebuild()? else {
        unreachable!("a first build has nothing to compare with")
    };
    shared.say(format!(
        "built {} lessons ({} experiments: {} run, {} cached) in {} ms",
        report.site.lessons,
        report.site.experiments,
        report.computed,
        report.cached,
        started.elapsed().as_millis()
    ));
    shared.state.lock().expect("state lock").site = Some(report.site);

    let requested = SocketAddr::new(options.bind, options.port);
    let cannot_listen = |error: std::io::Error| {
        Error::Other(format!(
            "cannot listen on {}:{}: {error}",
            options.bind, options.port
        ))
    };
    let listener = std::net::TcpListener::bind(requested).map_err(cannot_listen)?;
    listener.set_nonblocking(true).map_err(cannot_listen)?;
    let address = listener.local_addr().map_err(cannot_listen)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("initbook-serve")
        .enable_all()
        .build()
        .map_err(|error| Error::Other(format!("cannot start the server: {error}")))?;

    watch(&options.root, rebuilder, Arc::clone(&shared))?;

    let server_shared = Arc::clone(&shared);
    std::thread::spawn(move || {
        runtime.block_on(async move {
            match tokio::net::TcpListener::from_std(listener) {
                Ok(listener) => accept_connections(listener, server_shared).await,
                Err(error) => server_shared.say(format!("the server stopped: {error}")),
            }
        });
    });
    Ok(Server { address, log })
}

/// Accepts connections for ever. Beyond [`MAX_CONNECTIONS`] a connection is closed at once;
/// when the process runs out of file descriptors (or memory for sockets), it waits for some to
/// be freed instead of giving up, so the server serves again once connections close.
async fn accept_connections(listener: tokio::net::TcpListener, shared: Arc<Shared>) {
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut starved_since: Option<Instant> = None;
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(error) if is_exhaustion(&error) => {
                if starved_since.is_none() {
                    shared.say(format!(
                        "cannot accept connections ({error}); waiting for open ones to close"
                    ));
                    starved_since = Some(Instant::now());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
            // The client gave up before it was accepted: nothing to do.
            Err(_) => continue,
        };
        if starved_since.take().is_some() {
            shared.say("accepting connections again".to_string());
        }
        let Ok(permit) = Arc::clone(&connections).try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(serve_connection(stream, permit, shared));
    }
}

/// Running out of descriptors or socket memory, which passes once connections close.
fn is_exhaustion(error: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        use rustix::io::Errno;
        let raw = error.raw_os_error();
        [Errno::MFILE, Errno::NFILE, Errno::NOBUFS, Errno::NOMEM]
            .iter()
            .any(|errno| raw == Some(errno.raw_os_error()))
    }
    #[cfg(not(unix))]
    {
        error.kind() == std::io::ErrorKind::OutOfMemory
    }
}

async fn serve_connection(
    stream: tokio::net::TcpStream,
    _permit: OwnedSemaphorePermit,
    shared: Arc<Shared>,
) {
    let is_event_stream = Arc::new(AtomicBool::new(false));
    let service = {
        let is_event_stream = Arc::clone(&is_event_stream);
        hyper::service::service_fn(move |request| {
            let response = respond(&request, &shared, &is_event_stream);
            async move { Ok::<_, Infallible>(response) }
        })
    };
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(64 * 1024)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let deadline = tokio::time::sleep(CONNECTION_LIFETIME);
    tokio::pin!(deadline);
    tokio::select! {
        _ = &mut connection => return,
        () = &mut deadline => {}
    }
    // Past its lifetime: an event stream may stay, anything else is closed.
    if is_event_stream.load(Ordering::Relaxed) {
        let _ = connection.await;
    }
}

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(full(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The response to one request. GET and HEAD only (hyper leaves out the body of a HEAD
/// response); the path must name a file of the site.
fn respond(
    request: &Request<Incoming>,
    shared: &Arc<Shared>,
    is_event_stream: &AtomicBool,
) -> Response<Body> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let url = request
        .uri()
        .path_and_query()
        .map_or("/", |path| path.as_str());
    let path = match site_path(url) {
        Ok(path) => path,
        Err(status) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
            return plain(status, "refused\n");
        }
    };
    if path == EVENTS_PATH.trim_start_matches('/') {
        if request.method() == Method::HEAD {
            return event_stream_response(full(Bytes::new()));
        }
        return match Arc::clone(&shared.event_streams).try_acquire_owned() {
            Ok(permit) => {
                is_event_stream.store(true, Ordering::Relaxed);
                stream_events(shared, permit)
            }
            Err(_) => plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "too many open event streams\n",
            ),
        };
    }
    let (bytes, error) = {
        let state = shared.state.lock().expect("state lock");
        let bytes = state
            .site
            .as_ref()
            .and_then(|site| site.files.get(&path).cloned());
        (bytes, state.error.clone())
    };
    let Some(mut bytes) = bytes else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    if path.ends_with(".html") {
        bytes = inject_live_reload(&bytes, error.as_deref());
    }
    let mut response = Response::new(full(bytes));
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&path)));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn event_stream_response(body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Keeps the response open and writes each rebuild event to it as a server-sent event, with a
/// comment now and then; ends when the page goes away.
fn stream_events(shared: &Shared, permit: OwnedSemaphorePermit) -> Response<Body> {
    let (mut sender, body) = Channel::<Bytes, Infallible>::new(4);
    let mut events = shared.events.subscribe();
    tokio::spawn(async move {
        let _permit = permit;
        if sender
            .send_data(Bytes::from_static(b": connected\n\n"))
            .await
            .is_err()
        {
            return;
        }
        loop {
            let chunk = tokio::select! {
                event = events.recv() => match event {
                    Ok((name, data)) => format_event(name, &data),
                    // Missed events while the page was slow: a reload shows the current site.
                    Err(broadcast::error::RecvError::Lagged(_)) => format_event("reload", ""),
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                () = tokio::time::sleep(PING) => ": ping\n\n".to_string(),
            };
            if sender.send_data(Bytes::from(chunk)).await.is_err() {
                return;
            }
        }
    });
    event_stream_response(body.boxed())
}

fn format_event(name: &str, data: &str) -> String {
    let data: String = data.lines().map(|line| format!("data: {line}\n")).collect();
    let data = if data.is_empty() {
        "data: \n".to_string()
    } else {
        data
    };
    format!("event: {name}\n{data}\n")
}

/// Watches `content/` and `templates/` and rebuilds after each settled burst of changes.
fn watch(root: &Path, mut rebuilder: Rebuilder, shared: Arc<Shared>) -> Result<()> {
    use notify::{RecursiveMode, Watcher};
    let (sender, receiver) = mpsc::channel::<()>();
    // Only changes count: reading the files during a rebuild raises access events on some
    // platforms, which would otherwise trigger the next rebuild, and so on forever.
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && (event.kind.is_create() || event.kind.is_modify() || event.kind.is_remove())
        {
            let _ = sender.send(());
        }
    })
    .map_err(|error| Error::Other(format!("cannot watch the book: {error}")))?;
    for dir in [crate::book::content_dir(root), root.join("templates")] {
        if dir.is_dir() {
            watcher
                .watch(&dir, RecursiveMode::Recursive)
                .map_err(|error| {
                    Error::Other(format!("cannot watch {}: {error}", dir.display()))
                })?;
        }
    }
    std::thread::spawn(move || {
        // The watcher lives as long as this thread: it stops watching when dropped.
        let _watcher = watcher;
        while receiver.recv().is_ok() {
            // An editor's save is often several events; wait until they settle.
            while receiver.recv_timeout(DEBOUNCE).is_ok() {}
            rebuild(&mut rebuilder, &shared);
        }
    });
    Ok(())
}

fn rebuild(rebuilder: &mut Rebuilder, shared: &Shared) {
    let started = Instant::now();
    match rebuilder.rebuild() {
        Ok(Rebuild::Unchanged) => {
            // The pages show this site already, unless a failed build put its error over them:
            // then the book is back to the last good build, and the error goes.
            let had_error = shared
                .state
                .lock()
                .expect("state lock")
                .error
                .take()
                .is_some();
            shared.say(format!(
                "nothing the book reads changed ({} ms)",
                started.elapsed().as_millis()
            ));
            if had_error {
                shared.broadcast("reload", String::new());
            }
        }
        Ok(Rebuild::Built(report)) => {
            shared.say(format!(
                "rebuilt ({} run, {} cached) in {} ms",
                report.computed,
                report.cached,
                started.elapsed().as_millis()
            ));
            {
                let mut state = shared.state.lock().expect("state lock");
                state.site = Some(report.site);
                state.error = None;
            }
            shared.broadcast("reload", String::new());
        }
        Err(error) => {
            let text = error.to_string();
            shared.say(text.clone());
            shared.state.lock().expect("state lock").error = Some(text.clone());
            shared.broadcast("build-error", text);
        }
    }
}

/// The site path a request URL names, or the status to refuse it with.
///
/// `/` and `/dir/` mean their `index.html`. After percent-decoding, any `..` or `.` segment,
/// backslash, NUL, or a path that is not relative to the site root is refused (403).
pub fn site_path(url: &str) -> std::result::Result<String, u16> {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    if !path.starts_with('/') || path.starts_with("//") {
        return Err(403);
    }
    let decoded = percent_decode(path).ok_or(400u16)?;
    if decoded.contains(['\\', '\0']) || decoded.starts_with("//") {
        return Err(403);
    }
    let relative = decoded.trim_start_matches('/');
    if relative
        .split('/')
        .any(|segment| segment == ".." || segment == ".")
    {
        return Err(403);
    }
    if relative.is_empty() || relative.ends_with('/') {
        return Ok(format!("{relative}index.html"));
    }
    Ok(relative.to_string())
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The page with the live-reload script, and the build error over it when there is one.
fn inject_live_reload(page: &[u8], error: Option<&str>) -> Vec<u8> {
    let page = String::from_utf8_lossy(page);
    let overlay = error
        .map(|text| {
            format!(
                "<pre id=\"initbook-error\">{}</pre>\n",
                crate::escape::escape_xml(text)
            )
        })
        .unwrap_or_default();
    let addition = format!("{overlay}{LIVE_RELOAD_SCRIPT}</body>");
    match page.rfind("</body>") {
        Some(at) => format!("{}{addition}{}", &page[..at], &page[at + "</body>".len()..]),
        None => format!("{page}{addition}"),
    }
    .into_bytes()
}

/// Served only by `initbook serve`, never written to a built site.
const LIVE_RELOAD_SCRIPT: &str = r#"<style>
#initbook-error { position: fixed; inset: 1rem; z-index: 9999; margin: 0; padding: 1rem; overflow: auto;
  background: #fff8f6; color: #5b1a0c; border: 2px solid #c0392b; border-radius: 8px;
  font: 14px/1.45 ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap;
  box-shadow: 0 4px 24px rgba(0, 0, 0, .25); }
</style>
<script>
// initbook serve: reload after a rebuild; show a failed build's errors over the page.
(function () {
  var events = new EventSource("/__initbook/events");
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("build-error", function (event) {
    var box = document.getElementById("initbook-error");
    if (!box) {
      box = document.createElement("pre");
      box.id = "initbook-error";
      document.body.appendChild(box);
    }
    box.textContent = event.data;
  });
})();
</script>
"#;

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_inside_the_site_only() {
        assert_eq!(site_path("/"), Ok("index.html".to_string()));
        assert_eq!(
            site_path("/02-zero.html?x#y"),
            Ok("02-zero.html".to_string())
        );
        assert_eq!(site_path("/figures/a.svg"), Ok("figures/a.svg".to_string()));
        assert_eq!(site_path("/figures/"), Ok("figures/index.html".to_string()));
        for bad in [
            "/../Cargo.toml",
            "/figures/../../x",
            "/%2e%2e/secret",
            "/%2E%2E%2Fsecret",
            "/..%2fsecret",
            "//etc/passwd",
            "/%2f%2fetc/passwd",
            "/a\\..\\b",
            "/%5c..%5cb",
            "/./index.html",
            "http://example.com/",
        ] {
            assert!(site_path(bad).is_err(), "{bad} must be refused");
        }
        assert_eq!(site_path("/%zz"), Err(400));
    }

    #[test]
    fn every_kind_of_file_the_site_holds_has_its_type() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("explorer.css"), "text/css; charset=utf-8");
        assert_eq!(
            content_type("explorer.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("figures/explore/tanh-s0_1.svg"),
            "image/svg+xml"
        );
        assert_eq!(content_type("figures.json"), "application/json");
        assert_eq!(content_type(".initbook-site"), "application/octet-stream");
    }

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        let page = inject_live_reload(b"<html><body><p>x</p></body></html>", None);
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("<p>x</p><style>"));
        assert!(page.ends_with("</script>\n</body></html>"));
        let page = String::from_utf8(inject_live_reload(b"<body></body>", Some("a <b>"))).unwrap();
        assert!(page.contains("<pre id=\"initbook-error\""));
        assert!(page.contains("a &lt;b&gt;"));
    }
}
