//! A tiny HTTP/1.1 file server on 127.0.0.1 for update tests: serves bytes
//! by path, answers `If-None-Match` with 304 when told to, and logs every
//! response. Started by the test, stopped when dropped.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    pub path: String,
    pub status: u16,
    pub body_bytes: usize,
}

#[derive(Default)]
struct State {
    files: HashMap<String, (Vec<u8>, Option<String>)>,
    log: Vec<Served>,
    ignore_conditionals: bool,
}

pub struct Server {
    addr: std::net::SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (Arc::clone(&state), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    serve(conn, &s);
                }
            }
        });
        Server {
            addr,
            state,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves `data` at `path`, with `etag` as its ETag when given.
    pub fn put(&self, path: &str, data: impl Into<Vec<u8>>, etag: Option<&str>) {
        self.state
            .lock()
            .unwrap()
            .files
            .insert(path.to_string(), (data.into(), etag.map(String::from)));
    }

    /// Makes the server ignore If-None-Match (always 200).
    pub fn ignore_conditionals(&self) {
        self.state.lock().unwrap().ignore_conditionals = true;
    }

    /// Responses so far, then forgets them.
    pub fn take_log(&self) -> Vec<Served> {
        std::mem::take(&mut self.state.lock().unwrap().log)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes accept()
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut conn: TcpStream, state: &Mutex<State>) {
    let mut req = Vec::new();
    let mut buf = [0u8; 4096];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") && req.len() < 65536 {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&req).to_string();
    let mut lines = text.split("\r\n");
    let path = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("/")
        .to_string();
    let if_none_match = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("if-none-match"))
        .map(|(_, v)| v.trim().to_string());
    let mut st = state.lock().unwrap();
    let ignore = st.ignore_conditionals;
    let (status, head, body) = match st.files.get(&path) {
        None => (404, String::new(), Vec::new()),
        Some((_, Some(etag))) if !ignore && if_none_match.as_deref() == Some(etag) => {
            (304, format!("ETag: {etag}\r\n"), Vec::new())
        }
        Some((data, etag)) => (
            200,
            etag.as_ref()
                .map(|e| format!("ETag: {e}\r\n"))
                .unwrap_or_default(),
            data.clone(),
        ),
    };
    st.log.push(Served {
        path,
        status,
        body_bytes: body.len(),
    });
    drop(st);
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        _ => "Not Found",
    };
    let _ = write!(
        conn,
        "HTTP/1.1 {status} {reason}\r\n{head}Content-Length: {}\r\nConnection: close\r\n\r\n",
        if status == 304 { 0 } else { body.len() }
    );
    let _ = conn.write_all(&body);
    let _ = conn.flush();
}
