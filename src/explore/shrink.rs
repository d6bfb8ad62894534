//! Shrinking a sequence that shows a difference to a smaller one that still
//! shows it: drop calls (from the end back, one at a time, until none can go),
//! then simplify what remains (drop a body's members, a definition's objects,
//! an object's fields). A candidate is kept only when the predicate says it
//! still shows the difference, so whatever is returned does.

use std::future::Future;

use serde_json::Value;

use super::sequence::Call;

/// Shrinks `calls`, asking `shows` of each candidate, at most `budget` times;
/// the result is `calls` itself or a candidate for which `shows` was true.
pub async fn shrink<F, Fut>(calls: Vec<Call>, budget: usize, mut shows: F) -> Vec<Call>
where
    F: FnMut(Vec<Call>) -> Fut,
    Fut: Future<Output = bool>,
{
    let mut best = calls;
    let mut tries = 0;
    let mut attempt = |candidate: Vec<Call>| {
        tries += 1;
        let within = tries <= budget;
        let fut = within.then(|| shows(candidate));
        async move {
            match fut {
                Some(f) => f.await,
                None => false,
            }
        }
    };
    // Drop calls until no single one can go.
    loop {
        let mut changed = false;
        let mut i = best.len();
        while i > 0 {
            i -= 1;
            if best.len() == 1 {
                break;
            }
            let mut candidate = best.clone();
            candidate.remove(i);
            if attempt(candidate.clone()).await {
                best = candidate;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // Simplify bodies.
    for i in 0..best.len() {
        let mut j = 0;
        while let Some(simpler) = simplification(&best[i].body, j) {
            let mut candidate = best.clone();
            candidate[i].body = simpler;
            if attempt(candidate.clone()).await {
                best = candidate;
            } else {
                j += 1;
            }
        }
    }
    best
}

/// The `n`-th simpler form of a body: without one of its members, one of its
/// definition's objects, or one field of an object; `None` past the last.
fn simplification(body: &Value, n: usize) -> Option<Value> {
    let Value::Object(map) = body else { return None };
    let mut k = 0;
    for key in map.keys() {
        if k == n {
            let mut simpler = map.clone();
            simpler.remove(key);
            return Some(Value::Object(simpler));
        }
        k += 1;
    }
    for (key, value) in map {
        let Value::Array(items) = value else { continue };
        for (i, item) in items.iter().enumerate() {
            if k == n {
                let mut simpler = map.clone();
                let mut list = items.clone();
                list.remove(i);
                simpler.insert(key.clone(), Value::Array(list));
                return Some(Value::Object(simpler));
            }
            k += 1;
            let Some(fields) = item.get("fields").and_then(Value::as_array) else {
                continue;
            };
            for f in 0..fields.len() {
                if k == n {
                    let mut simpler = map.clone();
                    let mut list = items.clone();
                    let mut fewer = fields.clone();
                    fewer.remove(f);
                    list[i]["fields"] = Value::Array(fewer);
                    simpler.insert(key.clone(), Value::Array(list));
                    return Some(Value::Object(simpler));
                }
                k += 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn block_on<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    /// A random sequence over a few actions, with bodies of a few members and definitions.
    fn sequence(rng: &mut fastrand::Rng) -> Vec<Call> {
        let ops = ["A", "B", "C", "D"];
        (0..rng.usize(1..50))
            .map(|_| {
                let mut body = json!({});
                for m in 0..rng.usize(0..4) {
                    body[format!("m{m}")] = json!(rng.u8(0..3));
                }
                if rng.bool() {
                    body["pipelineObjects"] =
                        json!([{"id": "x", "fields": [{"key": "type", "stringValue": "T"}, {"key": "k"}]}]);
                }
                Call::new(ops[rng.usize(..4)], body)
            })
            .collect()
    }

    /// Stateful predicates like the planted bugs: a call shows the difference
    /// only after another one (with some member) came before it.
    fn shows(kind: u8, calls: &[Call]) -> bool {
        let after = |first: &str, then: &str| {
            calls
                .iter()
                .position(|c| c.operation == first)
                .is_some_and(|i| calls[i + 1..].iter().any(|c| c.operation == then))
        };
        match kind {
            0 => after("A", "B"),
            1 => calls.iter().filter(|c| c.operation == "C").count() >= 2,
            2 => after("A", "D") && calls.iter().any(|c| c.body.get("m1").is_some()),
            _ => calls.iter().any(|c| {
                c.body["pipelineObjects"][0]["fields"]
                    .as_array()
                    .is_some_and(|f| f.iter().any(|x| x["key"] == "type"))
            }),
        }
    }

    #[test]
    fn the_shrunk_sequence_always_still_shows_the_difference() {
        let mut shrunk_some = false;
        for seed in 0..300u64 {
            let mut rng = fastrand::Rng::with_seed(seed);
            let calls = sequence(&mut rng);
            let kind = (seed % 4) as u8;
            if !shows(kind, &calls) {
                continue;
            }
            let budget = rng.usize(0..400);
            let result = block_on(shrink(calls.clone(), budget, |c| async move { shows(kind, &c) }));
            assert!(
                shows(kind, &result),
                "seed {seed}: the shrunk sequence lost the difference"
            );
            assert!(result.len() <= calls.len());
            if budget >= 200 {
                // With room enough, the result is 1-minimal: no single call can go.
                for i in 0..result.len() {
                    let mut fewer = result.clone();
                    fewer.remove(i);
                    assert!(!shows(kind, &fewer), "seed {seed}: call {i} could go: {result:?}");
                }
                shrunk_some = true;
            }
        }
        assert!(shrunk_some);
    }

    #[test]
    fn bodies_lose_what_the_difference_does_not_need() {
        let calls = vec![Call::new(
            "A",
            json!({"keep": 1, "drop": 2, "pipelineObjects": [{"id": "x", "fields": [{"key": "type"}, {"key": "other"}]}, {"id": "y"}]}),
        )];
        let result = block_on(shrink(calls, 100, |c| async move { c[0].body.get("keep").is_some() }));
        assert_eq!(result[0].body, json!({"keep": 1}));
    }
}
