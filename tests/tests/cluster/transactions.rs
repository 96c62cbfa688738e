//! A transaction caught by a step-down between its writes and its commit:
//! the change is refused, and what it wrote is not left held once a
//! primary is back (the server keeps such a transaction open; the
//! product must end it).

use std::time::Duration;

use mongodb::bson::{Document, doc};
use tests::failover::Watch;
use tests::{DbServer, heavy_test_turn, test_settings};

/// How soon after the primary's return the same document must take a
/// change: well inside the transaction timeout, so a change that met the
/// abandoned transaction's hold and waited it out would not pass.
const PROMPTLY: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_commit_that_finds_no_primary_leaves_nothing_held_once_one_is_back() {
    // Arrange
    let _turn = heavy_test_turn().await;
    let server = DbServer::started();
    let config = test_settings(&server.uri());
    let metrics = api::metrics::Metrics::new().unwrap();
    let store = api::store::Store::connect(&config.database, metrics)
        .await
        .unwrap();
    let watch = Watch::connect(&server.uri()).await.unwrap();
    let counters = store.collection::<Document>("counters");
    counters
        .insert_one(doc! { "_id": "one", "n": 0 })
        .await
        .unwrap();

    // Act: the body writes, then the primary steps down before the commit.
    let mut runs = 0;
    let refused = store
        .transaction(async |session| {
            runs += 1;
            counters
                .update_one(doc! { "_id": "one" }, doc! { "$inc": { "n": 1 } })
                .session(&mut *session)
                .await?;
            if runs == 1 {
                watch.step_down(5).await.unwrap();
                // A write outside the transaction is refused, and so the
                // driver learns there is no primary: the commit then finds
                // none to go to (a commit sent to the old primary would be
                // accepted by SecantusDB).
                let outside = counters.insert_one(doc! { "_id": "probe" }).await;
                assert!(outside.is_err(), "a write after the step-down was taken");
            }
            Ok(())
        })
        .await;
    let back = watch.until(true, Duration::from_secs(30)).await.unwrap();
    let again = store
        .transaction(async |session| {
            counters
                .update_one(doc! { "_id": "one" }, doc! { "$inc": { "n": 10 } })
                .session(&mut *session)
                .await?;
            Ok(())
        })
        .await;
    let took = back.elapsed();

    // Assert
    let refused = refused.expect_err("a commit with no primary is refused");
    assert!(refused.is_unavailable(), "refused with {refused:?}");
    assert_eq!(runs, 1, "the body ran once; only its commit was retried");
    again.unwrap_or_else(|e| panic!("the change after the primary's return failed: {e:?}"));
    assert!(
        took <= PROMPTLY,
        "the change after the primary's return took {took:?}: the abandoned transaction held its document"
    );
    let stored = counters
        .find_one(doc! { "_id": "one" })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.get_i32("n").unwrap(),
        10,
        "only the change made after the return is stored"
    );
}
