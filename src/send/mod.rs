//! Sending one step: render its request from the case and the captured
//! variables ([`request`]), sign it ([`sign`]), send it and read the answer
//! ([`client`], `transport`), against the endpoint a run resolved
//! ([`target`]). Nothing here judges a response; that is [`crate::check`].

pub mod client;
pub mod request;
pub mod sign;
pub mod target;
pub(crate) mod transport;
