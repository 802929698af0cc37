//! Quadrature.
