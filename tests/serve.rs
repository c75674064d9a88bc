//! `initbook serve`, for real: a server on a free port, pages fetched over HTTP, lessons changed
//! on disk, reload messages observed on the event stream.

mod common;

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
