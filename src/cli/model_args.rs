//! Shared model flags.
