//! A headless Chromium driven over the DevTools protocol, for the browser tests.
//!
//! Why the protocol by hand rather than a client crate: the protocol is JSON messages, and the
//! few commands the tests need (open a tab, emulate a width or colour scheme, evaluate a script,
//! press a key, screenshot, print) fit in this file. Messages are kept as `serde_json::Value`, so
//! a newer Chromium that adds fields or event types cannot break deserialisation, and nothing
//! downloads a browser: we start the system's `chromium`.
//!
//! Why a pipe rather than a WebSocket: with `--remote-debugging-pipe` Chromium reads commands on
//! file descriptor 3 and writes replies on 4 (each message ends with a NUL byte). No port is
//! opened, no WebSocket client is needed, and when the test process ends — even by a panic or a
//! kill — the pipe closes and Chromium shuts itself down, so no browser outlives its test.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};
use tempfile::TempDir;

/// How long any single protocol command or awaited event may take before the test fails.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The environment variable that names the Chromium binary (default: `chromium` on `PATH`).
pub const CHROMIUM_ENV: &str = "INITBOOK_CHROMIUM";

/// The flags every test browser starts with: headless, no sandbox (CI runs as root), no GPU, and
/// nothing that would reach the network or change from run to run.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
];

/// The light or dark colour scheme, as `prefers-color-scheme` reports it to the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Light,
    Dark,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Light => "light",
            Scheme::Dark => "dark",
        }
    }
}

/// How a page is looked at: the viewport width, the colour scheme, whether scripts run, and
/// whether the page is laid out for the screen or for print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    pub width: u32,
    pub scheme: Scheme,
    pub javascript: bool,
    pub print: bool,
}

impl View {
    /// A screen view with JavaScript on, in the light scheme.
    pub const fn screen(width: u32) -> View {
        View {
            width,
            scheme: Scheme::Light,
            javascript: true,
            print: false,
        }
    }

    pub const fn dark(self) -> View {
        View {
            scheme: Scheme::Dark,
            ..self
        }
    }

    pub const fn without_javascript(self) -> View {
        View {
            javascript: false,
            ..self
        }
    }

    pub const fn for_print(self) -> View {
        View {
            print: true,
            ..self
        }
    }

    /// `390px dark`, `1280px light no-js` …: names the view in findings and screenshot files.
    pub fn label(&self) -> String {
        let mut label = format!("{}px {}", self.width, self.scheme.name());
        if !self.javascript {
            label.push_str(" no-js");
        }
        if self.print {
            label.push_str(" print");
        }
        label
    }

    /// Phones get a mobile viewport (the page's `<meta name="viewport">` applies).
    fn mobile(&self) -> bool {
        self.width < 600
    }
}

/// The widths every page is checked at: a phone and a desktop window.
pub const WIDTHS: [u32; 2] = [390, 1280];

/// Where the Chromium binary is: `$INITBOOK_CHROMIUM`, else `chromium` on `PATH`.
pub fn chromium_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(CHROMIUM_ENV) {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("chromium"))
        .find(|p| p.is_file())
}

/// Messages from Chromium, sorted by the reader thread: replies go to whoever waits for that
/// command id, events are kept per session until a test asks for them.
#[derive(Default)]
struct Inbox {
    replies: HashMap<u64, Sender<Value>>,
    events: HashMap<String, Vec<Value>>,
    closed: bool,
}

/// One headless Chromium process with a fresh profile. Dropping it closes the browser.
pub struct Browser {
    child: Child,
    writer: Mutex<ChildStdin>,
    inbox: Arc<(Mutex<Inbox>, Condvar)>,
    next_id: AtomicU64,
    log: PathBuf,
    _profile: TempDir,
}

impl Browser {
    /// Starts Chromium. Panics with instructions when it is not installed: these tests must
    /// never pass without a browser.
    pub fn launch() -> Browser {
        let binary = chromium_binary().unwrap_or_else(|| {
            panic!(
                "Chromium is not installed: the browser tests need it. Install it \
                 (`apt-get install -y chromium`) or set {CHROMIUM_ENV} to its path."
            )
        });
        let profile = tempfile::tempdir().expect("a temporary profile directory");
        let log = profile.path().join("chromium.log");
        let stderr = std::fs::File::create(&log).expect("Chromium's log file");
        // std cannot hand a child extra file descriptors, so a shell moves the two pipes to 3 and
        // 4 and gives Chromium no stdin and our log as its stdout, then execs it.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>&2"#)
            .arg(&binary)
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let writer = child.stdin.take().expect("Chromium's command pipe");
        let reader = child.stdout.take().expect("Chromium's reply pipe");
        let inbox = Arc::new((Mutex::new(Inbox::default()), Condvar::new()));
        let sorted = Arc::clone(&inbox);
        std::thread::spawn(move || read_messages(BufReader::new(reader), &sorted));
        let browser = Browser {
            child,
            writer: Mutex::new(writer),
            inbox,
            next_id: AtomicU64::new(1),
            log,
            _profile: profile,
        };
        browser.call(None, "Browser.getVersion", json!({}));
        browser
    }

    /// Sends one command (to the browser, or to a page's session) and waits for its reply.
    fn call(&self, session: Option<&str>, method: &str, params: Value) -> Value {
        match self.try_call(session, method, params) {
            Ok(result) => result,
            Err(message) => panic!("{method} failed: {message}"),
        }
    }

    fn try_call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> Result<Value, String> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, receiver) = mpsc::channel();
        {
            let mut inbox = self.inbox.0.lock().unwrap();
            if inbox.closed {
                return Err(self.exited());
            }
            inbox.replies.insert(id, sender);
        }
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        {
            let mut writer = self.writer.lock().unwrap();
            let mut bytes = serde_json::to_vec(&message).unwrap();
            bytes.push(0);
            if writer
                .write_all(&bytes)
                .and_then(|()| writer.flush())
                .is_err()
            {
                return Err(self.exited());
            }
        }
        let reply = match receiver.recv_timeout(TIMEOUT) {
            Ok(reply) => reply,
            Err(RecvTimeoutError::Timeout) => {
                return Err(format!("no reply within {} s", TIMEOUT.as_secs()));
            }
            Err(RecvTimeoutError::Disconnected) => return Err(self.exited()),
        };
        match reply.get("error") {
            Some(error) => Err(error.to_string()),
            None => Ok(reply["result"].clone()),
        }
    }

    /// Waits for the next event `method` of `session`, keeping the session's other events.
    fn wait_for_event(&self, session: &str, method: &str) -> Value {
        let (lock, arrived) = &*self.inbox;
        let deadline = Instant::now() + TIMEOUT;
        let mut inbox = lock.lock().unwrap();
        loop {
            if let Some(events) = inbox.events.get_mut(session)
                && let Some(at) = events.iter().position(|e| e["method"] == method)
            {
                return events.remove(at);
            }
            if inbox.closed {
                panic!("waiting for {method}: {}", self.exited());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!("{method} did not arrive within {} s", TIMEOUT.as_secs());
            }
            inbox = arrived.wait_timeout(inbox, left).unwrap().0;
        }
    }

    /// Every event of `session` received so far, oldest first.
    fn take_events(&self, session: &str) -> Vec<Value> {
        let mut inbox = self.inbox.0.lock().unwrap();
        inbox.events.remove(session).unwrap_or_default()
    }

    fn exited(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        format!("Chromium exited; the end of its log:\n{}", tail.join("\n"))
    }

    /// Opens `url` in a new tab looked at through `view`, and waits until it has loaded.
    pub fn open(&self, url: &str, view: View) -> Page<'_> {
        let target =
            self.call(None, "Target.createTarget", json!({ "url": "about:blank" }))["targetId"]
                .as_str()
                .expect("a target id")
                .to_string();
        let session = self.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target, "flatten": true }),
        )["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        let page = Page {
            browser: self,
            session,
            target,
        };
        for domain in ["Page", "Runtime", "Log", "Network"] {
            page.call(&format!("{domain}.enable"), json!({}));
        }
        page.call(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": view.width,
                "height": 900,
                "deviceScaleFactor": 1,
                "mobile": view.mobile(),
            }),
        );
        page.call(
            "Emulation.setEmulatedMedia",
            json!({
                "media": if view.print { "print" } else { "screen" },
                "features": [{ "name": "prefers-color-scheme", "value": view.scheme.name() }],
            }),
        );
        page.call(
            "Emulation.setScriptExecutionDisabled",
            json!({ "value": !view.javascript }),
        );
        let navigation = page.call("Page.navigate", json!({ "url": url }));
        if let Some(error) = navigation.get("errorText") {
            panic!("cannot open {url}: {error}");
        }
        self.wait_for_event(&page.session, "Page.loadEventFired");
        // Fonts settle before anything is measured (layout itself is brought up to date by every
        // measurement). Not an animation frame or a timer: with scripts disabled those never fire,
        // while promises and our own evaluations still run.
        page.evaluate("document.fonts.ready.then(() => true)");
        page
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ask politely, then make sure: a test must not leave a browser behind.
        let _ = self.try_call(None, "Browser.close", json!({}));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The reader thread: splits Chromium's output at NUL bytes and sorts each message.
fn read_messages(
    mut reader: BufReader<std::process::ChildStdout>,
    inbox: &(Mutex<Inbox>, Condvar),
) {
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        match reader.read_until(0, &mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        if buffer.last() == Some(&0) {
            buffer.pop();
        }
        let Ok(message) = serde_json::from_slice::<Value>(&buffer) else {
            continue;
        };
        let mut sorted = inbox.0.lock().unwrap();
        if let Some(id) = message.get("id").and_then(Value::as_u64) {
            if let Some(sender) = sorted.replies.remove(&id) {
                let _ = sender.send(message);
            }
        } else {
            let session = message["sessionId"].as_str().unwrap_or("").to_string();
            sorted.events.entry(session).or_default().push(message);
            inbox.1.notify_all();
        }
    }
    let mut sorted = inbox.0.lock().unwrap();
    sorted.closed = true;
    // Dropping the senders wakes every caller still waiting for a reply.
    sorted.replies.clear();
    inbox.1.notify_all();
}

/// A key the tests press.
#[derive(Debug, Clone, Copy)]
pub enum Key {
    Tab,
    Enter,
    Escape,
    ArrowDown,
    ArrowUp,
    ArrowRight,
    ArrowLeft,
    /// `/`, the search shortcut.
    Slash,
    /// `s`, the other search shortcut.
    S,
}

impl Key {
    /// The key as DevTools describes it: `key`, `code`, Windows virtual key code, and the text
    /// it types, if any.
    fn describe(self) -> (&'static str, &'static str, u32, Option<&'static str>) {
        match self {
            Key::Tab => ("Tab", "Tab", 9, None),
            Key::Enter => ("Enter", "Enter", 13, Some("\r")),
            Key::Escape => ("Escape", "Escape", 27, None),
            Key::ArrowDown => ("ArrowDown", "ArrowDown", 40, None),
            Key::ArrowUp => ("ArrowUp", "ArrowUp", 38, None),
            Key::ArrowRight => ("ArrowRight", "ArrowRight", 39, None),
            Key::ArrowLeft => ("ArrowLeft", "ArrowLeft", 37, None),
            Key::Slash => ("/", "Slash", 191, Some("/")),
            Key::S => ("s", "KeyS", 83, Some("s")),
        }
    }
}

/// One open tab. Dropping it closes the tab.
pub struct Page<'b> {
    browser: &'b Browser,
    session: String,
    target: String,
}

impl Page<'_> {
    /// Sends a protocol command to this tab.
    pub fn call(&self, method: &str, params: Value) -> Value {
        self.browser.call(Some(&self.session), method, params)
    }

    /// Evaluates `expression` in the page (awaiting it if it is a promise) and returns its
    /// value as JSON. Works with the page's own scripts disabled. Panics if it throws.
    pub fn evaluate(&self, expression: &str) -> Value {
        let reply = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        if let Some(exception) = reply.get("exceptionDetails") {
            panic!(
                "the script threw: {}",
                exception["exception"]["description"]
                    .as_str()
                    .unwrap_or(&exception.to_string())
            );
        }
        reply["result"]["value"].clone()
    }

    /// What went wrong while the page loaded and ran: console errors, uncaught exceptions,
    /// browser log errors (a missing file, a refused request) and failed loads.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for event in self.browser.take_events(&self.session) {
            let params = &event["params"];
            let problem = match event["method"].as_str() {
                Some("Runtime.consoleAPICalled")
                    if matches!(params["type"].as_str(), Some("error" | "assert")) =>
                {
                    let text: Vec<String> = params["args"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|arg| match &arg["value"] {
                            Value::String(s) => s.clone(),
                            Value::Null => arg["description"].as_str().unwrap_or("").to_string(),
                            other => other.to_string(),
                        })
                        .collect();
                    Some(format!("console error: {}", text.join(" ")))
                }
                Some("Runtime.exceptionThrown") => {
                    let details = &params["exceptionDetails"];
                    let text = details["exception"]["description"]
                        .as_str()
                        .or(details["text"].as_str())
                        .unwrap_or("(no description)");
                    Some(format!("uncaught exception: {text}"))
                }
                Some("Log.entryAdded") if params["entry"]["level"] == "error" => {
                    let entry = &params["entry"];
                    Some(format!(
                        "browser log error: {} {}",
                        entry["text"].as_str().unwrap_or(""),
                        entry["url"].as_str().unwrap_or("")
                    ))
                }
                Some("Network.loadingFailed") if params["canceled"] != true => Some(format!(
                    "failed load: {} (request {})",
                    params["errorText"].as_str().unwrap_or("?"),
                    params["requestId"].as_str().unwrap_or("?")
                )),
                _ => None,
            };
            problems.extend(problem);
        }
        problems
    }

    /// Presses and releases a key, as a keyboard user would.
    pub fn press(&self, key: Key) {
        let (name, code, virtual_code, text) = key.describe();
        let mut down = json!({
            "type": "keyDown",
            "key": name,
            "code": code,
            "windowsVirtualKeyCode": virtual_code,
        });
        if let Some(text) = text {
            down["text"] = json!(text);
        }
        self.call("Input.dispatchKeyEvent", down);
        self.call(
            "Input.dispatchKeyEvent",
            json!({ "type": "keyUp", "key": name, "code": code, "windowsVirtualKeyCode": virtual_code }),
        );
    }

    /// Types `text` into the focused field, as an input method would (one `input` event).
    pub fn type_text(&self, text: &str) {
        self.call("Input.insertText", json!({ "text": text }));
    }

    /// Waits until the tab has loaded a new document (after a click or a key that follows a
    /// link), and for its fonts.
    pub fn wait_for_load(&self) {
        self.browser
            .wait_for_event(&self.session, "Page.loadEventFired");
        self.evaluate("document.fonts.ready.then(() => true)");
    }

    /// Writes a PNG of the whole page (not only the viewport) to `path`.
    pub fn screenshot(&self, path: &Path) {
        let size = &self.call("Page.getLayoutMetrics", json!({}))["cssContentSize"];
        let shot = self.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": {
                    "x": 0, "y": 0,
                    "width": size["width"], "height": size["height"],
                    "scale": 1,
                },
            }),
        );
        write_base64(path, &shot["data"]);
    }

    /// Prints the page to a PDF file at `path` (A4, backgrounds on, the page's own `@page`
    /// size where it sets one), as "Save as PDF" would.
    pub fn print_to_pdf(&self, path: &Path) {
        let pdf = self.call(
            "Page.printToPDF",
            json!({
                "paperWidth": 8.27,
                "paperHeight": 11.69,
                "printBackground": true,
                "preferCSSPageSize": true,
            }),
        );
        write_base64(path, &pdf["data"]);
    }
}

impl Drop for Page<'_> {
    fn drop(&mut self) {
        let _ = self.browser.try_call(
            None,
            "Target.closeTarget",
            json!({ "targetId": self.target }),
        );
    }
}

fn write_base64(path: &Path, data: &Value) {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.as_str().expect("base64 data"))
        .expect("valid base64 from Chromium");
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
