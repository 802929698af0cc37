use quantreplica::lowprec::exact::exact_risk;
use quantreplica::lowprec::noise::{Quantizer, Sharing, Targets};
use quantreplica::lowprec::sgd::{simulate, Averaging, Problem, Schedule, SgdConfig, WStar};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args[1].parse().unwrap();
    let mk = |t: Targets, b: usize, av| SgdConfig {
        problem: Problem::power_law(10, 1.5, 0.25, WStar::Ones).unwrap(),
        batch: b, step: 0.12, steps: 60, schedule: Schedule::Constant, averaging: av,
        targets: t, shrink: None, grad_format: None };
    let mv = Quantizer::Multiplicative { eps: 0.3, sharing: Sharing::PerVector };
    let mc = Quantizer::Multiplicative { eps: 0.3, sharing: Sharing::PerCoordinate };
    let mut cases = vec![];
    for (n, q) in [("params vec", mv), ("params coord", mc)] { let mut t = Targets::full(); t.params = q; cases.push((n.to_string(), t, 4)); }
    for tgt in ["data","labels","params","acts","grads"] { let mut t = Targets::full(); t.set(tgt, Quantizer::Multiplicative{eps:0.2, sharing: Sharing::PerVector}).unwrap(); cases.push((format!("{tgt} vec B1"), t, 1)); }
    cases.push(("all vec B1".into(), Targets::all(Quantizer::Multiplicative{eps:0.2, sharing: Sharing::PerVector}), 1));
    for (n, t, b) in cases {
        let c = mk(t, b, Averaging::Last);
        let ex = exact_risk(&c, &[]).unwrap().risk.unwrap();
        let s = simulate(&c, runs, 7, &[]).unwrap();
        let (m, se) = (s.excess_risk.mean.unwrap(), s.excess_risk.stderr.unwrap());
        println!("{n:20} exact {ex:.5} mc {m:.5} ± {se:.5} z {:+.2}", (ex-m)/se);
    }
}
