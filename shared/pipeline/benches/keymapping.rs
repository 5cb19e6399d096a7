//! Pipeline throughput on the benchmark corpus, next to plain serde_json parse + serialise of
//! the same lines (the floor any JSON pipeline pays): key mapping alone, and the full chain
//! (key mapping, every built-in plugin, defaults).
//!
//! The corpus comes from `scripts/bench` (100 k mixed shipper events, generated, never
//! committed): set `MOZDEF_BENCH_CORPUS` to its path. Without it a small generated sample
//! is used so `cargo bench` still runs.

#![allow(missing_docs)]

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::sync::Arc;

use mozdef_pipeline::geoip::GeoIp;
use mozdef_pipeline::plugins::{PluginConfig, builtin};
use mozdef_pipeline::{NormalizeContext, PluginChain, Processed, normalize, process};
use serde_json::Value;

// The allocator the `mozdef` binary ships with, so the figures are the product's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus() -> Vec<String> {
    match std::env::var("MOZDEF_BENCH_CORPUS") {
        Ok(path) => match std::fs::read_to_string(&path) {
            Ok(text) => text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect(),
            Err(e) => panic!("cannot read MOZDEF_BENCH_CORPUS={path}: {e}"),
        },
        Err(_) => (0..2000)
            .map(|n| {
                format!(
                    r#"{{"HOST":"host{n}.example.com","PROGRAM":"sshd","PID":"{n}","PRIORITY":"info","FACILITY":"authpriv","MESSAGE":"Failed password for root from 10.0.{}.{} port 22 ssh2","DATE":"Nov 25 14:01:12","TAGS":".source.s_net","SOURCEIP":"10.1.2.3"}}"#,
                    n % 256,
                    n / 256 % 256
                )
            })
            .collect(),
    }
}

fn bench(c: &mut Criterion) {
    let lines = corpus();
    let ctx = NormalizeContext {
        received: Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).single().unwrap_or_default(),
        mozdefhostname: "bench.mozdef".to_owned(),
    };
    let mut group = c.benchmark_group("keymapping");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.sample_size(10);
    group.bench_function("serde_json parse+serialize", |b| {
        b.iter(|| {
            for line in &lines {
                let value: Value = serde_json::from_str(line).unwrap_or(Value::Null);
                black_box(serde_json::to_vec(&value).unwrap_or_default());
            }
        })
    });
    group.bench_function("parse+normalize+serialize", |b| {
        b.iter(|| {
            for line in &lines {
                let value: Value = serde_json::from_str(line).unwrap_or(Value::Null);
                if let Ok(event) = normalize(value, &ctx) {
                    black_box(serde_json::to_vec(&event).unwrap_or_default());
                }
            }
        })
    });
    // GeoIP databases from MOZDEF_BENCH_GEOIP (comma-separated .mmdb paths; scripts/bench
    // passes the DB-IP lite files), so the full chain includes the lookups.
    let geoip = std::env::var("MOZDEF_BENCH_GEOIP").ok().map(|paths| {
        let paths: Vec<&str> = paths.split(',').filter(|p| !p.is_empty()).collect();
        match GeoIp::open_all(&paths) {
            Ok(db) => Arc::new(db),
            Err(e) => panic!("MOZDEF_BENCH_GEOIP: {e}"),
        }
    });
    let name = if geoip.is_some() {
        "parse+process (all plugins, GeoIP)+serialize"
    } else {
        "parse+process (all plugins)+serialize"
    };
    let chain = PluginChain::new(builtin(&PluginConfig { geoip, ..PluginConfig::default() }));
    group.bench_function(name, |b| {
        b.iter(|| {
            for line in &lines {
                let value: Value = serde_json::from_str(line).unwrap_or(Value::Null);
                if let Processed::Event { event, .. } = process(value, &ctx, &chain) {
                    black_box(serde_json::to_vec(&event).unwrap_or_default());
                }
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
