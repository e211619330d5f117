//! Counting the records of an answer the probe read whole, or only the
//! start of: a large list endpoint is cut at the read limit (the probe
//! runs every second; reading 50 MB each time would cost the load
//! balancer gigabytes a day), and its count is then a lower bound.

/// How many records an answer holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Count {
    pub n: u32,
    /// Only the start of the answer was read: there are at least `n`.
    pub at_least: bool,
}

impl Count {
    /// Fewer than `before` for sure: a lower bound never is.
    pub fn fewer_than(self, before: Count) -> bool {
        !self.at_least && self.n < before.n
    }
}

/// `4`, or `≥ 14319` for a lower bound.
impl std::fmt::Display for Count {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.at_least {
            write!(f, "≥ {}", self.n)
        } else {
            write!(f, "{}", self.n)
        }
    }
}

/// The length of the array at `pointer` (RFC 6901) in a whole answer;
/// None when the answer is not JSON or holds no array there.
pub fn count_whole(body: &[u8], pointer: &str) -> Option<Count> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let n = v.pointer(pointer)?.as_array()?.len();
    Some(Count {
        n: u32::try_from(n).ok()?,
        at_least: false,
    })
}

/// The elements of the array at `pointer` that the first bytes of an
/// answer hold complete. Exact when the array closes within them, a lower
/// bound otherwise; None when the array does not start within them.
pub fn count_start(start: &[u8], pointer: &str) -> Option<Count> {
    let tokens = pointer_tokens(pointer)?;
    let mut scan = Scan::new(tokens);
    for &b in start {
        if scan.byte(b).is_break() {
            break;
        }
    }
    let n = u32::try_from(scan.counted?).ok()?;
    Some(Count {
        n,
        at_least: !scan.closed,
    })
}

fn pointer_tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// One open object or array.
struct Frame {
    array: bool,
    /// The path from the root to here equals the pointer's first tokens.
    on_path: bool,
    /// Arrays: the index of the next element.
    index: usize,
    /// Objects: the key whose value comes next (kept only on the path).
    key: Option<String>,
    /// Objects: a string here is a key.
    want_key: bool,
}

/// What a string is: a value, a key on the pointer's path (its text is
/// kept to compare), or a key off it.
enum Text {
    Value,
    Key(Option<Vec<u8>>),
}

enum Lexeme {
    /// Between values.
    Between,
    /// In a string; `escaped`: after a backslash.
    Str { escaped: bool, kind: Text },
    /// In a number or true/false/null: complete only at a delimiter.
    Bare,
}

struct Scan {
    tokens: Vec<String>,
    stack: Vec<Frame>,
    lexeme: Lexeme,
    /// Elements counted in the target array, once it opened.
    counted: Option<usize>,
    /// The target array's depth in `stack`, while it is open.
    target: Option<usize>,
    closed: bool,
}

impl Scan {
    fn new(tokens: Vec<String>) -> Scan {
        Scan {
            tokens,
            stack: Vec::new(),
            lexeme: Lexeme::Between,
            counted: None,
            target: None,
            closed: false,
        }
    }

    fn byte(&mut self, b: u8) -> std::ops::ControlFlow<()> {
        use std::ops::ControlFlow::{Break, Continue};
        match &mut self.lexeme {
            Lexeme::Str { escaped, kind } => {
                let kept = match kind {
                    Text::Key(Some(k)) => Some(k),
                    _ => None,
                };
                if *escaped {
                    *escaped = false;
                    if let Some(k) = kept {
                        k.push(unescape(b));
                    }
                } else if b == b'\\' {
                    *escaped = true;
                } else if b == b'"' {
                    let kind = std::mem::replace(kind, Text::Value);
                    self.lexeme = Lexeme::Between;
                    match kind {
                        Text::Key(k) => self.key_ended(k),
                        Text::Value => self.value_ended(),
                    }
                } else if let Some(k) = kept {
                    k.push(b);
                }
                return Continue(());
            }
            Lexeme::Bare => {
                if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.') {
                    return Continue(());
                }
                self.lexeme = Lexeme::Between;
                self.value_ended();
            }
            Lexeme::Between => {}
        }
        match b {
            b'{' | b'[' => self.open(b == b'['),
            b'}' | b']' => {
                if self.target == Some(self.stack.len()) {
                    self.closed = true;
                    return Break(());
                }
                if self.stack.pop().is_none() {
                    return Break(());
                }
                self.value_ended();
            }
            b'"' => {
                let kind = match self.stack.last() {
                    Some(f) if !f.array && f.want_key => Text::Key(f.on_path.then(Vec::new)),
                    _ => Text::Value,
                };
                self.lexeme = Lexeme::Str {
                    escaped: false,
                    kind,
                };
            }
            b',' => {
                if let Some(f) = self.stack.last_mut()
                    && !f.array
                {
                    f.want_key = true;
                    f.key = None;
                }
            }
            b':' => {}
            b if b.is_ascii_whitespace() => {}
            _ => self.lexeme = Lexeme::Bare,
        }
        Continue(())
    }

    fn open(&mut self, array: bool) {
        let depth = self.stack.len();
        let on_path = match self.stack.last() {
            None => true,
            Some(parent) => {
                parent.on_path
                    && self.tokens.get(depth - 1).is_some_and(|t| {
                        if parent.array {
                            t.parse::<usize>().ok() == Some(parent.index)
                        } else {
                            parent.key.as_deref() == Some(t.as_str())
                        }
                    })
            }
        };
        if on_path && array && depth == self.tokens.len() && self.counted.is_none() {
            self.target = Some(depth + 1);
            self.counted = Some(0);
        }
        self.stack.push(Frame {
            array,
            on_path: on_path && depth < self.tokens.len(),
            index: 0,
            key: None,
            want_key: !array,
        });
    }

    fn key_ended(&mut self, k: Option<Vec<u8>>) {
        if let Some(f) = self.stack.last_mut() {
            f.key = k.map(|k| String::from_utf8_lossy(&k).into_owned());
            f.want_key = false;
        }
    }

    /// A value ended directly inside the innermost open container.
    fn value_ended(&mut self) {
        if self.target == Some(self.stack.len())
            && let Some(n) = &mut self.counted
        {
            *n += 1;
        }
        if let Some(f) = self.stack.last_mut()
            && f.array
        {
            f.index += 1;
        }
    }
}

/// The byte a JSON escape stands for, for comparing keys with the
/// pointer (`\u` escapes are rare in keys; they keep the `u`, and such a
/// key does not match).
fn unescape(b: u8) -> u8 {
    match b {
        b'n' => b'\n',
        b't' => b'\t',
        b'r' => b'\r',
        b'b' => 0x08,
        b'f' => 0x0c,
        other => other,
    }
}

#[cfg(test)]
#[path = "count/tests.rs"]
mod tests;
