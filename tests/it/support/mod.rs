//! Shared support of the integration tests: the one command-line runner and bad-input
//! assertion ([`cli`]), unique temporary directories ([`temp`]), and the independent
//! references used by more than one test module ([`asq`] brute-force DP, [`stats`] sample
//! mean and standard error, [`nishimori`] scalar reduction, [`rsb_fd`] finite differences of
//! φ1, [`gibbs`] sampler against exact enumeration).

pub mod asq;
pub mod cli;
pub mod gibbs;
pub mod nishimori;
pub mod rsb_fd;
pub mod stats;
pub mod temp;
