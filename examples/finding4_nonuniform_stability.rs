//! Seed 002, further finding: non-uniform levels can be more stable. Compares λ_AT at β = 5 of
//! uniform, Lloyd–Max, prior-quantile and power-of-two levels with the same number of bits.
use quantreplica::model::{LevelKind, Model, TeacherPrior};
use quantreplica::rs::{solve, SolverOptions};

fn main() {
    let t = TeacherPrior::gaussian(1.0).unwrap();
    for bits in 2..=4u32 {
        for (name, kind, width) in [
            ("uniform", LevelKind::Uniform, 2.5),
            ("lloyd-max", LevelKind::LloydMax, 1.0),
            ("quantile", LevelKind::Quantile, 1.0),
            ("pow2", LevelKind::Pow2, 2.5),
        ] {
            let st = kind.build(bits, width, &t, None).unwrap();
            let s = solve(
                &Model::new(2.0, 0.1, 5.0, 0.0, st, t.clone()).unwrap(),
                &SolverOptions::default(),
            )
            .equilibrium;
            println!(
                "b = {bits} {name:<10} gen_error {:.4}  lambda_AT {:.3}  {}",
                s.gen_error,
                s.at_eigenvalue,
                if s.rs_stable { "RS stable" } else { "RSB" }
            );
        }
    }
}
