//! Low-precision SGD for linear regression (issue 5).
