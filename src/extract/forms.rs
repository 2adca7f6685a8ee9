//! Form collection for the HTML walker: `<form>`s, their fields and labels,
//! and pseudo-forms for inputs outside any `<form>` (JavaScript widgets such
//! as fee calculators).
//!
//! # Pseudo-forms
//! Fields outside a `<form>` are grouped into a [`Form`] with `action: None`
//! and method `"get"`. Consecutive orphan fields belong to the same group
//! as long as no heading starts or ends between them, they are on the same
//! side of the page chrome boundary and no real `<form>` lies between them.
//! The group's text is the text of the blocks that contain its fields or
//! buttons, followed by any field label not already in it.
//!
//! # Labels
//! A field's label is, in order: the text of a `<label for=id>`, the text of
//! an enclosing `<label>` (without option texts), `aria-label`,
//! `placeholder`, `title`, and finally the field's name.

use std::collections::HashMap;

use super::{Form, FormField};
use url::Url;

/// One field as seen by the walker, before its label is resolved.
#[derive(Debug, Clone, Default)]
pub(super) struct FieldInfo {
    /// `input` type, `"select"` or `"textarea"`.
    pub(super) kind: String,
    /// `name`, else `id`, else empty.
    pub(super) name: String,
    /// The `id` attribute (for `<label for>`).
    pub(super) id: Option<String>,
    /// `aria-label`, collapsed.
    pub(super) aria_label: Option<String>,
    /// `placeholder`, collapsed.
    pub(super) placeholder: Option<String>,
    /// `title`, collapsed.
    pub(super) title: Option<String>,
    /// Text of the enclosing `<label>` (filled when the label closes).
    pub(super) wrap_label: Option<String>,
}

/// Where a field outside a form sits, to decide its pseudo-form group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Place {
    /// Changes whenever a heading starts or ends.
    pub(super) heading_gen: u64,
    /// Inside page chrome.
    pub(super) chrome: bool,
}

/// A form under construction.
#[derive(Debug)]
struct FormBuild {
    action: Option<Url>,
    method: String,
    fields: Vec<FieldInfo>,
    text: String,
    heading_path: Vec<String>,
    lead_in: Option<String>,
    orphan: bool,
}

/// An open `<label>`.
#[derive(Debug)]
struct LabelBuild {
    for_id: Option<String>,
    text: String,
    fields: Vec<(usize, usize)>,
}

/// Collects forms while the walker goes through the document.
#[derive(Debug, Default)]
pub(super) struct FormsBuilder {
    forms: Vec<FormBuild>,
    open_form: Option<usize>,
    group: Option<(usize, Place)>,
    labels: Vec<LabelBuild>,
    for_labels: HashMap<String, String>,
    segment_has_orphan: bool,
}

impl FormsBuilder {
    /// True while inside a `<form>`.
    pub(super) fn in_form(&self) -> bool {
        self.open_form.is_some()
    }

    /// A `<form>` starts.
    pub(super) fn open_form(
        &mut self,
        action: Option<Url>,
        method: String,
        heading_path: Vec<String>,
        lead_in: Option<String>,
    ) {
        self.group = None;
        self.open_form = Some(self.forms.len());
        self.forms.push(FormBuild {
            action,
            method,
            fields: Vec::new(),
            text: String::new(),
            heading_path,
            lead_in,
            orphan: false,
        });
    }

    /// The `<form>` ends.
    pub(super) fn close_form(&mut self) {
        self.open_form = None;
    }

    /// A `<label>` starts.
    pub(super) fn open_label(&mut self, for_id: Option<&str>) {
        let for_id = for_id
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        self.labels.push(LabelBuild {
            for_id,
            text: String::new(),
            fields: Vec::new(),
        });
    }

    /// The innermost `<label>` ends.
    pub(super) fn close_label(&mut self) {
        let Some(label) = self.labels.pop() else {
            return;
        };
        let text = label.text.trim_end().to_owned();
        if text.is_empty() {
            return;
        }
        if let Some(id) = label.for_id {
            self.for_labels.entry(id).or_insert(text);
            return;
        }
        for (f, k) in label.fields {
            if let Some(field) = self
                .forms
                .get_mut(f)
                .and_then(|form| form.fields.get_mut(k))
            {
                field.wrap_label.get_or_insert_with(|| text.clone());
            }
        }
    }

    /// Visible text: goes to the open form and (unless it is an option
    /// text) to the open labels.
    pub(super) fn text(&mut self, s: &str, in_select: bool) {
        if let Some(form) = self.open_form.and_then(|i| self.forms.get_mut(i)) {
            super::textbuf::push_collapsed(&mut form.text, s);
        }
        if !in_select {
            for label in &mut self.labels {
                super::textbuf::push_collapsed(&mut label.text, s);
            }
        }
    }

    /// A word boundary (block edge, `<br>`, control) in the open form and labels.
    pub(super) fn soft_break(&mut self) {
        if let Some(form) = self.open_form.and_then(|i| self.forms.get_mut(i)) {
            super::textbuf::soft_space(&mut form.text);
        }
        for label in &mut self.labels {
            super::textbuf::soft_space(&mut label.text);
        }
    }

    /// A field. `path` gives the heading path for a new pseudo-form.
    pub(super) fn field(
        &mut self,
        info: FieldInfo,
        place: Place,
        path: impl FnOnce() -> Vec<String>,
    ) {
        let f = if let Some(f) = self.open_form {
            f
        } else {
            self.segment_has_orphan = true;
            self.orphan_group(place, path)
        };
        let Some(form) = self.forms.get_mut(f) else {
            return;
        };
        let k = form.fields.len();
        form.fields.push(info);
        if let Some(label) = self.labels.last_mut() {
            label.fields.push((f, k));
        }
    }

    /// The pseudo-form for an orphan field at `place` (a new one when the
    /// place differs from the current group's).
    fn orphan_group(&mut self, place: Place, path: impl FnOnce() -> Vec<String>) -> usize {
        if let Some((g, p)) = self.group {
            if p == place {
                return g;
            }
        }
        let g = self.forms.len();
        self.forms.push(FormBuild {
            action: None,
            method: "get".to_owned(),
            fields: Vec::new(),
            text: String::new(),
            heading_path: path(),
            lead_in: None,
            orphan: true,
        });
        self.group = Some((g, place));
        g
    }

    /// A button outside any form: its block text joins the current
    /// pseudo-form if the button is in the same place.
    pub(super) fn orphan_button(&mut self, place: Place) {
        if self.open_form.is_none() && self.group.is_some_and(|(_, p)| p == place) {
            self.segment_has_orphan = true;
        }
    }

    /// The walker emitted a block with `text`.
    pub(super) fn segment_flushed(&mut self, text: &str) {
        if !std::mem::take(&mut self.segment_has_orphan) {
            return;
        }
        if let Some(form) = self.group.and_then(|(g, _)| self.forms.get_mut(g)) {
            append_unique(&mut form.text, text);
        }
    }

    /// Resolves labels and returns the forms in document order.
    pub(super) fn finish(self) -> Vec<Form> {
        let for_labels = self.for_labels;
        self.forms
            .into_iter()
            .map(|form| {
                let fields: Vec<FormField> = form
                    .fields
                    .into_iter()
                    .map(|f| {
                        let label =
                            f.id.as_deref()
                                .and_then(|id| for_labels.get(id).cloned())
                                .or(f.wrap_label)
                                .or(f.aria_label)
                                .or(f.placeholder)
                                .or(f.title)
                                .unwrap_or_else(|| f.name.clone());
                        FormField {
                            kind: f.kind,
                            name: f.name,
                            label,
                        }
                    })
                    .collect();
                let mut text = form.text.trim_end().to_owned();
                if form.orphan {
                    for field in &fields {
                        append_unique(&mut text, &field.label);
                    }
                }
                Form {
                    action: form.action,
                    method: form.method,
                    fields,
                    text,
                    heading_path: form.heading_path,
                    lead_in: form.lead_in,
                }
            })
            .collect()
    }
}

/// Appends `piece` (space-separated) unless `text` already contains it.
fn append_unique(text: &mut String, piece: &str) {
    if piece.is_empty() || text.contains(piece) {
        return;
    }
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(piece);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::{parse_html, Document};
    use url::Url;

    fn parse(html: &str) -> Document {
        let url = Url::parse("https://www.example.se/omsorg/avgifter.html").unwrap();
        parse_html(&url, html.as_bytes(), Some("text/html; charset=utf-8"))
    }

    #[test]
    fn form_with_labels_for_and_wrapping() {
        let doc = parse(
            r#"<h1>Avgifter</h1><h2>Räkna ut din avgift</h2>
            <form action="/kalkyl" method="POST">
              <p>Fyll i uppgifterna nedan.</p>
              <label for="ink">Inkomst per månad</label> <input id="ink" name="inkomst" type="number">
              <label>Antal timmar <input name="timmar" type="Number"> per månad</label>
              <label>Boende <select name="boende"><option>Ensam</option><option>Sammanboende</option></select></label>
              <input type="hidden" name="token" value="x">
              <input name="q" placeholder="Sök">
              <input name="epost" aria-label="E-post">
              <textarea name="ovrigt">standard</textarea>
              <input type="submit" value="Beräkna"> <button>Rensa</button>
            </form>"#,
        );
        assert_eq!(doc.forms.len(), 1);
        let form = &doc.forms[0];
        assert_eq!(
            form.action.as_ref().unwrap().as_str(),
            "https://www.example.se/kalkyl"
        );
        assert_eq!(form.method, "post");
        assert_eq!(form.heading_path, ["Avgifter", "Räkna ut din avgift"]);
        let got: Vec<(&str, &str, &str)> = form
            .fields
            .iter()
            .map(|f| (f.kind.as_str(), f.name.as_str(), f.label.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("number", "inkomst", "Inkomst per månad"),
                ("number", "timmar", "Antal timmar per månad"),
                ("select", "boende", "Boende"),
                ("text", "q", "Sök"),
                ("text", "epost", "E-post"),
                ("textarea", "ovrigt", "ovrigt"),
            ]
        );
        assert!(
            form.text.contains("Fyll i uppgifterna nedan."),
            "{}",
            form.text
        );
        assert!(form.text.contains("Beräkna"));
        assert!(form.text.contains("Rensa"));
        assert!(form.text.contains("Sammanboende"));
        assert!(!form.text.contains("standard"));
        assert!(doc.main_text().contains("Inkomst per månad"));
    }

    #[test]
    fn form_defaults() {
        let doc = parse("<form><input name=a></form>");
        let form = &doc.forms[0];
        assert_eq!(form.action, None);
        assert_eq!(form.method, "get");
        assert_eq!(form.fields[0].kind, "text");
        assert_eq!(form.fields[0].label, "a");
    }

    #[test]
    fn orphan_inputs_become_pseudo_forms() {
        let doc = parse(
            r#"<header><input id="sok" placeholder="Sök på webbplatsen"><button>Sök</button></header>
            <main><h1>Avgiftskalkylator</h1>
              <div class="calc">
                <div><label for="i1">Din inkomst</label></div><div><input id="i1" type="number"></div>
                <div><label>Timmar <input id="i2" type="number"></label></div>
                <div><button type="button">Räkna</button></div>
              </div>
              <h2>Om avgiften</h2><p>Text.</p>
              <form action="/sok"><input name="q"></form>
            </main>"#,
        );
        assert_eq!(doc.forms.len(), 3);
        let search = &doc.forms[0];
        assert_eq!(search.fields.len(), 1);
        assert_eq!(search.fields[0].label, "Sök på webbplatsen");
        let calc = &doc.forms[1];
        assert_eq!(calc.action, None);
        assert_eq!(calc.heading_path, ["Avgiftskalkylator"]);
        let labels: Vec<&str> = calc.fields.iter().map(|f| f.label.as_str()).collect();
        assert_eq!(labels, ["Din inkomst", "Timmar"]);
        assert_eq!(calc.fields[0].name, "i1");
        assert!(calc.text.contains("Din inkomst"), "{}", calc.text);
        assert!(calc.text.contains("Timmar"), "{}", calc.text);
        assert!(calc.text.contains("Räkna"), "{}", calc.text);
        assert!(!calc.text.contains("Om avgiften"), "{}", calc.text);
        assert_eq!(doc.forms[2].action.as_ref().unwrap().path(), "/sok");
    }
}
