//! The restart drill's vocabulary and its pure parts: the API contract
//! (`[drill]` in the config), the state machine every guard lives in, the
//! preflight, the machine's view of the world, the run's record and the
//! report. The dashboard's `R` and `ecsdeck drill` both drive the machine
//! through the one reducer; nothing here does I/O.

pub mod conduct;
pub mod history;
pub mod machine;
pub mod memory;
pub mod preflight;
pub mod report;
pub mod story;
pub mod view;

pub use conduct::Conduct;
pub use machine::{Drill, RestartKind, Stage, Verdict};
pub use preflight::{Preflight, preflight};
pub use report::Report;

/// How the API is written to and read, with the reference goals API's
/// defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub write_method: String,
    pub write_path: String,
    /// The body, with `{marker}` where the marker goes.
    pub write_body: String,
    pub read_path: String,
    /// Where the marker is looked for in the read's JSON (None: anywhere
    /// in the text).
    pub marker_pointer: Option<String>,
    /// Where the write's response holds the new record's id.
    pub id_pointer: Option<String>,
    /// The delete, with `{id}`; None: the API has no delete.
    pub delete_path: Option<String>,
    pub count_pointer: Option<String>,
}

impl Contract {
    /// The drill's requests, as the load balancer's rules see them: the
    /// read, the write and the delete (`{id}` stands for any id).
    pub fn requests(&self) -> Vec<(String, String)> {
        let mut out = vec![
            ("GET".to_string(), self.read_path.clone()),
            (self.write_method.clone(), self.write_path.clone()),
        ];
        if let Some(d) = &self.delete_path {
            out.push(("DELETE".to_string(), d.replace("{id}", "0")));
        }
        out
    }
}

impl Default for Contract {
    fn default() -> Self {
        Contract {
            write_method: "POST".into(),
            write_path: "/goals".into(),
            write_body: r#"{"text":"{marker}"}"#.into(),
            read_path: "/goals".into(),
            marker_pointer: Some("/goals".into()),
            id_pointer: Some("/goal/id".into()),
            delete_path: Some("/goals/{id}".into()),
            count_pointer: Some("/goals".into()),
        }
    }
}
