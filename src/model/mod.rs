//! Model pieces.
