//! Adaptive stochastic quantization (issue 6).
