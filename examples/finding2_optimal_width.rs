//! Seed 002, finding (ii): an optimal quantization width minimizes the error.
use quantreplica::experiments::widths::{optimal_width_with, Objective};
use quantreplica::model::{LevelKind, LevelSet, Model, Student, TeacherPrior};
use quantreplica::rs::SolverOptions;

fn main() {
    for bits in 1..=6u32 {
        let make = |w: f64| {
            Model::new(
                2.0,
                0.1,
                f64::INFINITY,
                0.0,
                Student::Discrete(LevelSet::uniform(bits, w)?),
                TeacherPrior::gaussian(1.0)?,
            )
        };
        let o = optimal_width_with(
            &make,
            &LevelKind::Uniform,
            bits,
            Objective::GenError,
            &SolverOptions::default(),
        )
        .unwrap();
        println!(
            "b = {bits}: optimal width {:.4}, gen_error {:.5}",
            o.width, o.solution.gen_error
        );
    }
}
