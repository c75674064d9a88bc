//! `initbook serve`: build, serve the site from memory, rebuild when the book changes, and tell
//! open pages to reload.
//!
//! - The site is served from the last good build held in memory; nothing is written to
//!   `output/`, and the live-reload script is added to pages only as they are served.
//! - `content/` and `templates/` are watched (debounced); a rebuild uses the result cache, so
//!   editing prose re-runs nothing.
//! - Pages hold a server-sent-events connection (`/__initbook/events`): `reload` after a good
//!   rebuild, `build-error` with the diagnostics after a failed one. While the last build failed,
//!   every page is served with the error shown over it, and the last good site underneath.
//! - Only paths of the built site are served. Requests with `..`, encoded or not, backslashes or
//!   absolute paths are refused with 403; since the site lives in memory, nothing outside it
//!   (symlinks included) is ever read.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::cache::Cache;
use crate::error::{Error, Result};
use crate::site::{Site, build_site_with};

/// The path pages listen on for rebuild events.
pub const EVENTS_PATH: &str = "/__initbook/events";
/// How long the watcher waits for a burst of file events to settle before rebuilding.
pub const DEBOUNCE: Duration = Duration::from_millis(40);

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
    listeners: Mutex<Vec<Sender<PageEvent>>>,
    log: Mutex<Sender<String>>,
}

impl Shared {
    fn say(&self, message: String) {
        let _ = self.log.lock().expect("log lock").send(message);
    }

    fn broadcast(&self, name: &'static str, data: String) {
        self.listeners
            .lock()
            .expect("listeners lock")
            .retain(|listener| listener.send((name, data.clone())).is_ok());
    }
}

/// Builds the book, starts the HTTP server and the watcher, and returns once it is listening.
/// The first build must succeed; later failures keep the last good site.
pub fn start(options: ServeOptions) -> Result<Server> {
    let (log_sender, log) = mpsc::channel();
    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        listeners: Mutex::new(Vec::new()),
        log: Mutex::new(log_sender),
    });

    let started = Instant::now();
    let report = build_site_with(&options.root, &options.cache, &|_, _| {})?;
    shared.say(format!(
        "built {} lessons ({} experiments: {} run, {} cached) in {} ms",
        report.site.lessons,
        report.site.experiments,
        report.computed,
        report.cached,
        started.elapsed().as_millis()
    ));
    shared.state.lock().expect("state lock").site = Some(report.site);

    let http =
        tiny_http::Server::http(SocketAddr::new(options.bind, options.port)).map_err(|error| {
            Error::Other(format!(
                "cannot listen on {}:{}: {error}",
                options.bind, options.port
            ))
        })?;
    let address = http
        .server_addr()
        .to_ip()
        .ok_or_else(|| Error::Other("the server has no IP address".to_string()))?;

    watch(&options.root, options.cache.clone(), Arc::clone(&shared))?;

    let server_shared = Arc::clone(&shared);
    std::thread::spawn(move || {
        for request in http.incoming_requests() {
            let shared = Arc::clone(&server_shared);
            std::thread::spawn(move || handle(request, &shared));
        }
    });
    Ok(Server { address, log })
}

/// Watches `content/` and `templates/` and rebuilds after each settled burst of changes.
fn watch(root: &Path, cache: Cache, shared: Arc<Shared>) -> Result<()> {
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
    let root = root.to_path_buf();
    std::thread::spawn(move || {
        // The watcher lives as long as this thread: it stops watching when dropped.
        let _watcher = watcher;
        while receiver.recv().is_ok() {
            // An editor's save is often several events; wait until they settle.
            while receiver.recv_timeout(DEBOUNCE).is_ok() {}
            rebuild(&root, &cache, &shared);
        }
    });
    Ok(())
}

fn rebuild(root: &Path, cache: &Cache, shared: &Shared) {
    let started = Instant::now();
    match build_site_with(root, cache, &|_, _| {}) {
        Ok(report) => {
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

fn handle(request: tiny_http::Request, shared: &Shared) {
    let path = match site_path(request.url()) {
        Ok(path) => path,
        Err(status) => {
            let _ = request
                .respond(tiny_http::Response::from_string("refused\n").with_status_code(status));
            return;
        }
    };
    if path == EVENTS_PATH.trim_start_matches('/') {
        stream_events(request, shared);
        return;
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
        let _ =
            request.respond(tiny_http::Response::from_string("not found\n").with_status_code(404));
        return;
    };
    if path.ends_with(".html") {
        bytes = inject_live_reload(&bytes, error.as_deref());
    }
    let response = tiny_http::Response::from_data(bytes)
        .with_header(header("Content-Type", content_type(&path)))
        .with_header(header("Cache-Control", "no-store"));
    let _ = request.respond(response);
}

/// Keeps the connection open and writes each rebuild event to it as a server-sent event.
fn stream_events(request: tiny_http::Request, shared: &Shared) {
    let (sender, receiver) = mpsc::channel();
    shared
        .listeners
        .lock()
        .expect("listeners lock")
        .push(sender);
    let mut writer = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n: connected\n\n";
    if writer
        .write_all(head.as_bytes())
        .and_then(|()| writer.flush())
        .is_err()
    {
        return;
    }
    loop {
        let chunk = match receiver.recv_timeout(Duration::from_secs(15)) {
            Ok((name, data)) => {
                let data: String = data.lines().map(|line| format!("data: {line}\n")).collect();
                let data = if data.is_empty() {
                    "data: \n".to_string()
                } else {
                    data
                };
                format!("event: {name}\n{data}\n")
            }
            // A comment now and then finds closed connections.
            Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        if writer
            .write_all(chunk.as_bytes())
            .and_then(|()| writer.flush())
            .is_err()
        {
            return;
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
                crate::draw::escape_xml(text)
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
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

fn header(name: &str, value: &str) -> tiny_http::Header {
    tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
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
