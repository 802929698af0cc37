//! Progress bars for long runs, shown only on an interactive terminal.
//!
//! A job made of stages can show one bar for the whole job with the bars of its stages below
//! it: [`nest_under`] makes a bar the top line of an indicatif [`MultiProgress`], and every
//! [`bar`] made on the same thread until its guard is dropped is drawn beneath.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::RefCell;
use std::io::IsTerminal;

thread_local! {
    /// The bars of this thread's current [`nest_under`], if any.
    static NEST: RefCell<Option<MultiProgress>> = const { RefCell::new(None) };
}

/// A progress bar over `len` steps, hidden when stderr is not a terminal or `CI` is set, so
/// that logs and tests stay clean. Under a [`nest_under`] on this thread it is drawn below the
/// job's bar.
pub fn bar(len: u64, label: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() || std::env::var_os("CI").is_some() {
        return ProgressBar::hidden();
    }
    // Styled before it is shown anywhere (setting the message draws a visible bar).
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{elapsed_precise}] {wide_bar} {pos}/{len} (eta {eta})")
    {
        pb.set_style(style);
    }
    pb.set_message(label.to_string());
    NEST.with(|n| match n.borrow().as_ref() {
        Some(multi) => multi.add(pb),
        None => {
            pb.set_draw_target(ProgressDrawTarget::stderr());
            pb
        }
    })
}

/// Makes `top` (a [`bar`] that has not been updated yet) the top line of a [`MultiProgress`]: the bars made on
/// this thread until the guard is dropped are drawn below it, each cleared when it finishes.
/// Nothing happens for a hidden bar (not a terminal, or a job whose watcher reports progress).
pub fn nest_under(top: &ProgressBar) -> impl Drop {
    struct Unnest(Option<Option<MultiProgress>>);
    impl Drop for Unnest {
        fn drop(&mut self) {
            if let Some(prev) = self.0.take() {
                NEST.with(|n| *n.borrow_mut() = prev);
            }
        }
    }
    if top.is_hidden() {
        return Unnest(None);
    }
    let multi = MultiProgress::new();
    multi.add(top.clone());
    Unnest(Some(NEST.with(|n| n.borrow_mut().replace(multi))))
}
