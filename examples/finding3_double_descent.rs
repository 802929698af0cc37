//! Seed 002, finding (iii): quantization delays overparameterization and tames double descent.
//! ε_g against α for the continuous ridgeless student and 1- and 2-bit students, then the α
//! below which the trained quantized model interpolates (1 for the continuous student).
use quantreplica::experiments::double_descent::{alpha_grid, curves};
use quantreplica::experiments::OperatingPoint;
use quantreplica::model::{LevelSet, Model, Student, TeacherPrior};
use quantreplica::rs::{solve, SolverOptions};

fn main() {
    let students = [
        ("continuous", Student::Continuous),
        ("b=1", Student::Discrete(LevelSet::uniform(1, 0.8).unwrap())),
        (
            "b=2",
            Student::Discrete(LevelSet::uniform(2, 1.33).unwrap()),
        ),
    ];
    println!(
        "alpha  {}",
        students
            .iter()
            .map(|s| format!("{:>12}", s.0))
            .collect::<String>()
    );
    for alpha in [0.3, 0.6, 0.9, 0.99, 1.01, 1.1, 1.5, 2.0, 4.0] {
        let errs: String = students
            .iter()
            .map(|(_, st)| {
                let m = Model::new(
                    alpha,
                    0.1,
                    f64::INFINITY,
                    0.0,
                    st.clone(),
                    TeacherPrior::gaussian(1.0).unwrap(),
                )
                .unwrap();
                format!(
                    "{:>12.4}",
                    solve(&m, &SolverOptions::default()).equilibrium.gen_error
                )
            })
            .collect();
        println!("{alpha:<6} {errs}");
    }
    println!("\ninterpolation threshold alpha_c (beta = inf; continuous student: 1):");
    let widths = [(1, 0.698), (2, 1.329), (4, 2.276), (8, 3.020)];
    for c in curves(
        &OperatingPoint::default(),
        &widths,
        f64::INFINITY,
        &alpha_grid(60),
    )
    .unwrap()
    {
        let t = c
            .interpolation_threshold
            .map_or("< 0.1".into(), |t| format!("{t:.4}"));
        println!("b = {}  width = {:.3}  alpha_c = {t}", c.bits, c.width);
    }
}
