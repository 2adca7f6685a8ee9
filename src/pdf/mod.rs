//! Text out of PDFs, without letting a hostile file hurt the run.
//!
//! PDF parsing runs in a child process of the same binary (the hidden
//! subcommand `infokoll pdf-text`, see [`helper`]): the child reads the PDF
//! on stdin, limits its own address space and CPU time with `setrlimit`,
//! extracts the text of at most `max_pages` pages with `pdf-extract` (on
//! top of `lopdf`) and writes [`PdfText`] as JSON on stdout. The parent
//! ([`PdfReader::read`]) gives it a wall-time limit and kills it when over.
//! So a panic, an endless loop over a page tree that refers to itself, a
//! stack overflow or a compression bomb end the child, never the run: each
//! becomes a [`PdfProblem`] that the crawl records as the page's status.
//!
//! Why a process and not a thread: a thread stuck in a loop cannot be
//! cancelled, a stack overflow aborts the whole process, and an allocation
//! failure aborts too — measured on `pdf-extract` 0.12 (see the issue note).
//!
//! # Architecture
//! - [`PdfReader`] / [`PdfLimits`]: the parent side (spawn, feed, time-limit, kill)
//! - [`helper`]: the child side (rlimits, extraction, JSON)
//! - [`PdfText`] / [`PdfProblem`]: what came of it

pub mod helper;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Default cap on a PDF's size in bytes (by Content-Length and while reading).
pub const DEFAULT_MAX_PDF_BYTES: usize = 20 * 1024 * 1024;
/// Default most pages read of one PDF.
pub const DEFAULT_MAX_PDF_PAGES: usize = 200;
/// Default wall-time limit of one PDF's extraction.
pub const DEFAULT_PDF_TIME: Duration = Duration::from_secs(20);
/// Default address-space limit of the extraction process, in MiB.
pub const DEFAULT_PDF_MEMORY_MB: u64 = 768;
/// Most bytes of extracted text accepted from the helper.
const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;
/// The hidden subcommand that runs [`helper::run`].
pub const HELPER_COMMAND: &str = "pdf-text";

/// Limits of one PDF extraction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PdfLimits {
    /// Most pages read (the rest of a longer PDF is left out).
    pub max_pages: usize,
    /// Wall-time limit; the helper is killed when over.
    pub time: Duration,
    /// Address-space limit of the helper, in MiB.
    pub memory_mb: u64,
}

impl Default for PdfLimits {
    fn default() -> Self {
        Self {
            max_pages: DEFAULT_MAX_PDF_PAGES,
            time: DEFAULT_PDF_TIME,
            memory_mb: DEFAULT_PDF_MEMORY_MB,
        }
    }
}

/// The text of a PDF, page by page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PdfText {
    /// The document title (`/Title` of the Info dictionary), if any.
    pub title: Option<String>,
    /// The text of each page read, first page first.
    pub pages: Vec<String>,
    /// Pages in the document (more than `pages.len()` when cut at the page cap).
    pub page_count: usize,
}

impl PdfText {
    /// True when no page has any visible character (a scan without a text layer).
    pub fn is_empty(&self) -> bool {
        self.pages
            .iter()
            .all(|p| p.chars().all(|c| c.is_whitespace() || c.is_control()))
    }
}

/// Why a PDF could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum PdfProblem {
    /// The file is not a PDF or its structure is broken.
    #[error("trasig pdf: {0}")]
    Broken(String),
    /// The file is encrypted and cannot be opened without a password.
    #[error("krypterad pdf")]
    Encrypted,
    /// The PDF has no text layer (a scan).
    #[error("pdf utan text")]
    NoText,
    /// Larger than the size cap.
    #[error("pdf större än {0} MiB")]
    TooLarge(usize),
    /// The extraction took longer than the time limit and was stopped.
    #[error("pdf-läsningen tog mer än {0} s och avbröts")]
    TimedOut(u64),
    /// The extraction process died (memory limit, crash) or answered nonsense.
    #[error("pdf-läsningen avbröts: {0}")]
    Crashed(String),
}

/// Reads PDFs in a helper process.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfReader {
    /// The `infokoll` binary to run as helper; `None` = this process's own executable.
    pub program: Option<PathBuf>,
    /// Limits of one extraction.
    pub limits: PdfLimits,
}

impl PdfReader {
    /// Extracts the text of `pdf`. Never panics and never waits longer
    /// than the time limit (plus the moment it takes to kill the helper).
    pub async fn read(&self, pdf: &[u8]) -> Result<PdfText, PdfProblem> {
        let program = match &self.program {
            Some(p) => p.clone(),
            None => std::env::current_exe()
                .map_err(|e| PdfProblem::Crashed(format!("hittar inte programfilen: {e}")))?,
        };
        let limits = &self.limits;
        let mut child = tokio::process::Command::new(program)
            .arg(HELPER_COMMAND)
            .arg("--max-pages")
            .arg(limits.max_pages.to_string())
            .arg("--memory-mb")
            .arg(limits.memory_mb.to_string())
            .arg("--cpu-seconds")
            .arg((limits.time.as_secs() + 1).to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| PdfProblem::Crashed(format!("kunde inte starta pdf-läsaren: {e}")))?;
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(PdfProblem::Crashed(
                "pdf-läsaren saknar in- eller utdata".to_owned(),
            ));
        };
        let work = async {
            // Feed and read at once, so a helper that writes early never blocks on a full pipe.
            let feed = async {
                // A helper that died early closes the pipe: that shows in its exit status.
                let _ = stdin.write_all(pdf).await;
                drop(stdin);
            };
            let mut out = Vec::new();
            let mut limited = stdout.take(MAX_TEXT_BYTES as u64 + 1);
            let read = limited.read_to_end(&mut out);
            let ((), read) = tokio::join!(feed, read);
            let status = child.wait().await;
            (read.map(|_| out), status)
        };
        let Ok((out, status)) = tokio::time::timeout(limits.time, work).await else {
            let _ = child.kill().await;
            return Err(PdfProblem::TimedOut(limits.time.as_secs()));
        };
        let out = out.map_err(|e| PdfProblem::Crashed(e.to_string()))?;
        let status = status.map_err(|e| PdfProblem::Crashed(e.to_string()))?;
        if out.len() > MAX_TEXT_BYTES {
            return Err(PdfProblem::Crashed("för mycket text".to_owned()));
        }
        if !status.success() {
            return Err(PdfProblem::Crashed(describe_exit(status)));
        }
        let answer: helper::Answer = serde_json::from_slice(&out)
            .map_err(|e| PdfProblem::Crashed(format!("oläsligt svar från pdf-läsaren: {e}")))?;
        match answer {
            helper::Answer::Text(text) if text.is_empty() => Err(PdfProblem::NoText),
            helper::Answer::Text(text) => Ok(text),
            helper::Answer::Problem(p) => Err(p),
        }
    }
}

fn describe_exit(status: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(sig) = status.signal() {
            return match sig {
                6 => "minnesgränsen eller ett internt fel (SIGABRT)".to_owned(),
                9 => "stoppad (SIGKILL)".to_owned(),
                11 => "minnesfel (SIGSEGV)".to_owned(),
                24 => "tidsgränsen för processorn (SIGXCPU)".to_owned(),
                n => format!("signal {n}"),
            };
        }
    }
    format!("slutkod {}", status.code().unwrap_or(-1))
}

/// True when a response is a PDF: by Content-Type, else by the `%PDF-` magic.
pub fn is_pdf(content_type: Option<&str>, body: &[u8]) -> bool {
    let declared = content_type.is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("application/pdf") || c.contains("application/x-pdf")
    });
    let generic = content_type.is_none_or(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("octet-stream") || c.contains("application/download") || c.trim().is_empty()
    });
    declared || (generic && body.starts_with(b"%PDF-"))
}

/// True when a link target looks like a PDF by its path.
pub fn is_pdf_url(url: &url::Url) -> bool {
    let path = url.path();
    path.len() > 4 && path[path.len() - 4..].eq_ignore_ascii_case(".pdf")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
