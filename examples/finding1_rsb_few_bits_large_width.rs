//! Seed 002, finding (i): replica symmetry breaks for few bits and large width.
//! Prints the AT width ω_AT(b) at β = 5 (RSB for ω > ω_AT) for b = 1…4.
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::phase::at_crossings;
use quantreplica::rs::SolverOptions;

fn main() {
    for bits in 1..=4u32 {
        let make = |w: f64| {
            Model::new(
                2.0,
                0.1,
                5.0,
                0.0,
                Student::Discrete(LevelSet::uniform(bits, w)?),
                TeacherPrior::gaussian(1.0)?,
            )
        };
        let roots = at_crossings(&make, 0.1, 6.0, 40, 1e-8, &SolverOptions::default()).unwrap();
        match roots.first() {
            Some(w) => {
                println!("b = {bits}: lambda_AT = 1 at width {w:.4}: RSB for wider quantizers")
            }
            None => println!("b = {bits}: RS stable for every width up to 6"),
        }
    }
}
