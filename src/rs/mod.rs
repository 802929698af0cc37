//! RS solver.
