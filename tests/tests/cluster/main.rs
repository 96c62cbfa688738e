//! Several API instances, failovers and process signals: tests that load
//! the machine or measure how long things take. They run one at a time
//! (each holds [`tests::heavy_test_turn`]) in a test binary of their own,
//! which cargo runs after the others, so nothing else competes with them.

mod failover;
mod instances;
mod live;
mod outbox;
mod queue;
mod queue_ticks;
mod shutdown;
mod transactions;
mod webhooks;
