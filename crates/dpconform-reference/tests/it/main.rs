//! Integration tests of the reference endpoint: the sans-I/O core through its
//! public API, and the hyper server on a loopback port.

mod accounts;
mod api;
mod auth;
mod common;
mod control;
mod http;
mod robustness;
mod scheduler;
mod state_dir;
mod throttle;
