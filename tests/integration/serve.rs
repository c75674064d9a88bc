//! `initbook serve`, for real: a server on a free port, pages fetched over HTTP, lessons changed
//! on disk, reload messages observed on the event stream.

use crate::common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::TinyBook;
use initbook::cache::Cache;
use initbook::serve::{EVENTS_PATH, ServeOptions, Server, start};

fn serve(book: &TinyBook) -> Server {
    start(ServeOptions {
        root: book.root().to_path_buf(),
        bind: "127.0.0.1".parse().unwrap(),
        port: 0,
        cache: Cache::for_book(book.root()),
    })
    .unwrap()
}

/// A raw GET (the path is sent exactly as given): status and body.
fn get(address: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// Reads the event stream until an event named `name` arrives; returns its data.
struct Events(BufReader<TcpStream>);

impl Events {
    fn open(address: SocketAddr) -> Self {
        let mut stream = TcpStream::connect(address).unwrap();
        write!(
            stream,
            "GET {EVENTS_PATH} HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        .unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut events = Events(BufReader::new(stream));
        // Past the headers and the greeting comment: from here on the stream is live.
        while events.line() != ": connected" {}
        events
    }

    fn line(&mut self) -> String {
        let mut line = String::new();
        self.0
            .read_line(&mut line)
            .expect("an event within the timeout");
        line.trim_end().to_string()
    }

    fn wait_for(&mut self, name: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.line() == format!("event: {name}") {
                let mut data = Vec::new();
                loop {
                    let line = self.line();
                    match line.strip_prefix("data: ") {
                        Some(d) => data.push(d.to_string()),
                        None => return data.join("\n"),
                    }
                }
            }
        }
        panic!("no {name} event");
    }
}

#[test]
fn serves_the_site_with_live_reload_and_never_writes_output() {
    let book = TinyBook::new();
    let server = serve(&book);
    let (status, index) = get(server.address, "/");
    assert_eq!(status, 200);
    assert!(index.contains("<h1>Tiny</h1>"));
    assert!(
        index.contains("new EventSource(\"/__initbook/events\")"),
        "the reload script is served"
    );
    let (status, svg) = get(server.address, "/figures/small.svg");
    assert_eq!(status, 200);
    assert!(svg.starts_with("<svg"));
    assert_eq!(get(server.address, "/no-such-page.html").0, 404);
    assert!(!book.output().exists(), "serve keeps the site in memory");
    // The built site itself never carries the script.
    let built = initbook::build_site(book.root()).unwrap();
    assert!(!String::from_utf8_lossy(&built.files["index.html"]).contains("EventSource"));
}

#[test]
fn a_saved_lesson_reloads_open_pages_with_the_new_content() {
    let book = TinyBook::new();
    let server = serve(&book);
    let mut events = Events::open(server.address);
    book.write(
        "content/02-two.md",
        &common::LESSON_TWO.replace("Math:", "Freshly edited math:"),
    );
    events.wait_for("reload");
    let (_, page) = get(server.address, "/02-two.html");
    assert!(page.contains("Freshly edited math:"), "{page}");
}

#[test]
fn a_file_the_build_does_not_read_changes_nothing() {
    let book = TinyBook::new();
    let server = serve(&book);
    book.write("content/.01-one.md.swp", "an editor's swap file");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let line = server
            .log
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the watcher answers the change");
        assert!(
            !line.starts_with("rebuilt"),
            "rebuilt for a swap file: {line}"
        );
        if line.starts_with("nothing the book reads changed") {
            break;
        }
    }
}

#[test]
fn the_print_edition_and_the_search_are_served_and_reload_too() {
    let book = TinyBook::new();
    let server = serve(&book);
    let (status, print) = get(server.address, "/print.html");
    assert_eq!(status, 200);
    assert!(print.contains("new EventSource(\"/__initbook/events\")"));
    assert!(print.contains("Math:"));
    for script in ["/search.js", "/searchindex.js"] {
        let (status, body) = get(server.address, script);
        assert_eq!(status, 200, "{script}");
        assert!(!body.contains("EventSource"), "{script} is served as built");
    }
    let mut events = Events::open(server.address);
    book.write(
        "content/02-two.md",
        &common::LESSON_TWO.replace("Math:", "Printed math:"),
    );
    events.wait_for("reload");
    let (_, print) = get(server.address, "/print.html");
    assert!(print.contains("Printed math:"), "{print}");
    let (_, index) = get(server.address, "/searchindex.js");
    assert!(index.contains("Printed math:"));
}

#[test]
fn a_broken_directive_shows_an_overlay_over_the_last_good_site() {
    let book = TinyBook::new();
    let server = serve(&book);
    let mut events = Events::open(server.address);
    book.write(
        "content/01-one.md",
        &common::LESSON_ONE.replace("nodes = 20", "nodes = 0"),
    );
    let error = events.wait_for("build-error");
    assert!(error.contains("content/01-one.md:13:9"), "{error}");
    assert!(error.contains("`nodes` = 0 is out of range"), "{error}");

    let (status, page) = get(server.address, "/01-one.html");
    assert_eq!(status, 200);
    assert!(
        page.contains("<pre id=\"initbook-error\">"),
        "the overlay is on the page"
    );
    assert!(page.contains("content/01-one.md:13:9"));
    assert!(
        page.contains("Figure 1.1"),
        "the last good page is still served under it"
    );

    // Fixing it clears the overlay.
    book.write("content/01-one.md", common::LESSON_ONE);
    events.wait_for("reload");
    let (_, page) = get(server.address, "/01-one.html");
    assert!(!page.contains("<pre id=\"initbook-error\">"));
    // The terminal heard about both.
    let log: Vec<String> = server.log.try_iter().collect();
    assert!(
        log.iter()
            .any(|line| line.contains("content/01-one.md:13:9")),
        "{log:?}"
    );
}

#[test]
fn paths_outside_the_site_are_refused() {
    let book = TinyBook::new();
    book.write("secret.txt", "do not serve");
    let server = serve(&book);
    for path in [
        "/../secret.txt",
        "/../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/figures/..%2f..%2fsecret.txt",
        "//etc/passwd",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
    ] {
        let (status, body) = get(server.address, path);
        assert_eq!(status, 403, "{path}");
        assert!(!body.contains("do not serve"), "{path}");
    }
    // A symlink pointing out of the book is not part of the site either.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(
            book.root().join("secret.txt"),
            book.root().join("content/leak.md"),
        )
        .unwrap();
        assert_eq!(get(server.address, "/leak.md").0, 404);
        assert_eq!(get(server.address, "/content/leak.md").0, 404);
    }
}

#[test]
fn listens_on_this_machine_only_by_default() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_initbook"))
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("[default: 127.0.0.1]"), "{help}");
}

/// A raw request with any method: status line, headers and body, as one string.
fn request(address: SocketAddr, method: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn only_get_and_head_are_allowed() {
    let book = TinyBook::new();
    let server = serve(&book);
    for method in ["POST", "PUT", "DELETE", "TRACE", "PATCH", "OPTIONS"] {
        let response = request(server.address, method, "/");
        assert!(response.starts_with("HTTP/1.1 405"), "{method}: {response}");
        assert!(
            response
                .to_ascii_lowercase()
                .contains("\r\nallow: get, head\r\n"),
            "{method}: {response}"
        );
        assert!(
            !response.contains("<h1>Tiny</h1>"),
            "{method} must not get the page"
        );
    }
    let head = request(server.address, "HEAD", "/01-one.html");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("text/html"), "{head}");
    assert!(
        head.ends_with("\r\n\r\n"),
        "a HEAD response has no body: {head}"
    );
}

/// `initbook serve` in its own process, under `prlimit --nofile=LIMIT`.
struct LimitedServer {
    child: std::process::Child,
    address: SocketAddr,
}

impl LimitedServer {
    fn start(book: &TinyBook, nofile: u32) -> Self {
        let mut child = std::process::Command::new("prlimit")
            .arg(format!("--nofile={nofile}:{nofile}"))
            .arg("--")
            .arg(env!("CARGO_BIN_EXE_initbook"))
            .args(["serve", "--port", "0", "--root"])
            .arg(book.root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("this test needs `prlimit` (util-linux) to limit the server's descriptors");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        // Keep reading what the server says, as a terminal would.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        // "Serving DIR at http://127.0.0.1:PORT/ (Ctrl+C to stop)"
        let address = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .parse()
            .unwrap();
        LimitedServer { child, address }
    }

    /// Status of `GET /`, or `None` when the server answers nothing within two seconds.
    fn try_get(&self) -> Option<u16> {
        let mut stream = TcpStream::connect_timeout(&self.address, Duration::from_secs(2)).ok()?;
        stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        write!(
            stream,
            "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response);
        text.get(9..12)?.parse().ok()
    }

    fn assert_alive(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "the server process must keep running"
        );
    }
}

impl Drop for LimitedServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Holds `count` connections to the server, each without sending a request, then shows that
/// the server refuses while they are held and serves again once they are closed.
fn starve_and_recover(nofile: u32, count: usize) {
    let book = TinyBook::new();
    let mut server = LimitedServer::start(&book, nofile);
    assert_eq!(server.try_get(), Some(200));

    let held: Vec<TcpStream> = (0..count)
        .filter_map(|_| TcpStream::connect_timeout(&server.address, Duration::from_secs(2)).ok())
        .collect();
    assert!(held.len() >= count / 2, "only {} connections", held.len());
    std::thread::sleep(Duration::from_millis(300));
    server.assert_alive();
    assert_eq!(
        server.try_get(),
        None,
        "with {count} connections held under nofile={nofile}, a new one is refused"
    );

    drop(held);
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut status = None;
    while Instant::now() < deadline {
        status = server.try_get();
        if status == Some(200) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(status, Some(200), "serves again once the connections close");
    server.assert_alive();
}

#[test]
fn survives_six_hundred_held_connections_under_1024_descriptors() {
    starve_and_recover(1024, 600);
}

#[test]
fn survives_running_out_of_file_descriptors() {
    starve_and_recover(64, 120);
}
