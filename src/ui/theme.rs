//! Colours carry meaning only; with NO_COLOR every style is plain and the
//! words say the same.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Honours NO_COLOR (any non-empty value), per no-color.org.
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }
    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    pub fn demo(&self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }
    pub fn cursor(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn focus_border(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Style for a status word from ECS, the ALB or EFS.
    pub fn status(&self, word: &str) -> Style {
        match word {
            "HEALTHY" | "RUNNING" | "healthy" | "available" | "ACTIVE" | "COMPLETED"
            | "PRIMARY" | "active" => self.good(),
            "UNHEALTHY" | "unhealthy" | "FAILED" | "error" | "deleted" | "unavailable" => {
                self.bad()
            }
            "STOPPED" | "INACTIVE" | "unused" => self.dim(),
            "UNKNOWN" | "" => Style::new(),
            _ => self.warn(),
        }
    }
}
