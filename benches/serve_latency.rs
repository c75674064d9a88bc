//! Save-to-reload latency of `initbook serve`: the time from writing a lesson to the moment an
//! open page receives the `reload` event. Target ≤ 200 ms on the 2-core reference machine.
//!
//! `cargo bench --bench serve_latency` — serves a copy of the tutorial (cache warmed first), then
//! edits a lesson's prose 30 times and prints the minimum, median and maximum latency.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn main() {
    let book = common::copy_of_the_tutorial();
    let server = initbook::serve::start(initbook::serve::ServeOptions {
        root: book.path().to_path_buf(),
        bind: "127.0.0.1".parse().unwrap(),
        port: 0,
        cache: initbook::cache::Cache::for_book(book.path()),
    })
    .unwrap();

    let mut stream = TcpStream::connect(server.address).unwrap();
    write!(
        stream,
        "GET {} HTTP/1.1\r\nHost: localhost\r\n\r\n",
        initbook::serve::EVENTS_PATH
    )
    .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut events = BufReader::new(stream);
    let mut line = String::new();
    while line.trim_end() != ": connected" {
        line.clear();
        events.read_line(&mut line).unwrap();
    }

    let lesson = book.path().join("content/02-zero.md");
    let original = std::fs::read_to_string(&lesson).unwrap();
    let mut latencies = Vec::new();
    for round in 0..30 {
        let text = original.replace("The simplest idea", &format!("The simplest idea ({round})"));
        let saved = Instant::now();
        std::fs::write(&lesson, text).unwrap();
        loop {
            line.clear();
            events.read_line(&mut line).unwrap();
            if line.trim_end() == "event: reload" {
                break;
            }
        }
        latencies.push(saved.elapsed());
        // Let the watcher settle so rounds do not merge.
        std::thread::sleep(Duration::from_millis(150));
    }
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "save → reload message over {} saves: min {:.1} ms, median {:.1} ms, max {:.1} ms (target ≤ 200 ms; includes the {} ms debounce)",
        latencies.len(),
        ms(latencies[0]),
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() - 1]),
        initbook::serve::DEBOUNCE.as_millis()
    );
}
